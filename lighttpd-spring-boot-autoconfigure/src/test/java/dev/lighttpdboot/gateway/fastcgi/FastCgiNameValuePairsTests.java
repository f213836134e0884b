package dev.lighttpdboot.gateway.fastcgi;

import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FastCgiNameValuePairsTests {

	@ParameterizedTest(name = "{0} + {1} chars -> {2} bytes")
	@CsvSource(textBlock = """
			0,   0,     2
			127, 127,   256
			128, 127,   260
			127, 128,   260
			128, 65535, 65671
			""")
	void usesOneByteLengthsBelow128AndFourBytesFrom128(int nameLength, int valueLength, int encodedLength) {
		String name = "n".repeat(nameLength);
		String value = "v".repeat(valueLength);
		ByteBuf buffer = Unpooled.buffer();
		FastCgiNameValuePairs.encode(name, value, buffer);
		assertThat(buffer.readableBytes()).isEqualTo(encodedLength)
			.isEqualTo(FastCgiNameValuePairs.encodedLength(name, value));
		assertThat(FastCgiNameValuePairs.decodeAll(buffer)).containsExactly(Map.entry(name, value));
		assertThat(buffer.isReadable()).isFalse();
		buffer.release();
		assertThat(buffer.refCnt()).isZero();
	}

	@Test
	void roundTripsEveryByte() {
		StringBuilder bytes = new StringBuilder();
		for (char c = 0; c <= 0xff; c++) {
			bytes.append(c);
		}
		ByteBuf buffer = Unpooled.buffer();
		FastCgiNameValuePairs.encode("HTTP_X_RAW", bytes.toString(), buffer);
		assertThat(buffer.getByte(buffer.readerIndex() + 5 + 10 + 0xe9)).isEqualTo((byte) 0xe9);
		assertThat(FastCgiNameValuePairs.decodeAll(buffer)).containsExactly(Map.entry("HTTP_X_RAW", bytes.toString()));
		buffer.release();
	}

	@Test
	void keepsOrderAndTheLastOfARepeatedName() {
		ByteBuf buffer = Unpooled.buffer();
		FastCgiNameValuePairs.encode("B", "1", buffer);
		FastCgiNameValuePairs.encode("A", "2", buffer);
		FastCgiNameValuePairs.encode("B", "3", buffer);
		assertThat(FastCgiNameValuePairs.decodeAll(buffer)).containsExactly(Map.entry("B", "3"), Map.entry("A", "2"));
		buffer.release();
	}

	@Test
	void refusesCharsThatAreNotBytes() {
		ByteBuf buffer = Unpooled.buffer();
		assertThatIllegalArgumentException().isThrownBy(() -> FastCgiNameValuePairs.encode("\u0100", "", buffer))
			.withMessageContaining("U+0100");
		assertThatIllegalArgumentException().isThrownBy(() -> FastCgiNameValuePairs.encode("N", "\u00ff\u20ac", buffer))
			.withMessageContaining("Value of N holds char U+20AC at index 1");
		assertThat(buffer.isReadable()).as("nothing written").isFalse();
		buffer.release();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "01", "01024100", "80", "800000", "81000000", "018000000200", "0105414243" })
	void refusesPairsCutShort(String hex) {
		ByteBuf buffer = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
		assertThatIllegalArgumentException().isThrownBy(() -> FastCgiNameValuePairs.decodeAll(buffer));
		buffer.release();
	}

}
