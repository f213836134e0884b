package dev.lighttpdboot.gateway.scgi;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ScgiRequestHeaderTests {

	@Test
	void encodesTheSpecificationsExample() {
		// The example of the SCGI specification: a 70-byte block.
		String header = encode(List.of(Map.entry("CONTENT_LENGTH", "27"), Map.entry("REQUEST_METHOD", "POST"),
				Map.entry("REQUEST_URI", "/deepthought")));
		assertThat(header).isEqualTo(
				"70:CONTENT_LENGTH\0" + "27\0" + "SCGI\0" + "1\0" + "REQUEST_METHOD\0" + "POST\0" + "REQUEST_URI\0"
						+ "/deepthought\0,");
	}

	@Test
	void contentLengthGoesFirstAndScgiAppearsOnce() {
		String header = encode(List.of(Map.entry("REQUEST_METHOD", "GET"), Map.entry("SCGI", "2"),
				Map.entry("CONTENT_LENGTH", "0")));
		String block = header.substring(header.indexOf(':') + 1, header.length() - 1);
		assertThat(block).isEqualTo("CONTENT_LENGTH\0" + "0\0" + "SCGI\0" + "1\0" + "REQUEST_METHOD\0" + "GET\0");
		assertThat(header).startsWith(block.length() + ":").endsWith(",");
	}

	@Test
	void bytesGoThroughAsBytes() {
		// The environment carries UTF-8 as one char per byte: each must leave as that one byte.
		String name = new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
		ByteBuf header = ScgiRequestHeader.encode(
				List.of(Map.entry("CONTENT_LENGTH", "0"), Map.entry("SCRIPT_NAME", "/" + name)),
				UnpooledByteBufAllocator.DEFAULT);
		try {
			String block = header.toString(StandardCharsets.UTF_8);
			assertThat(block).contains("SCRIPT_NAME\0/é\0");
		}
		finally {
			header.release();
		}
	}

	@Test
	void refusesAnEnvironmentWithoutContentLength() {
		assertThatIllegalArgumentException().isThrownBy(() -> encode(List.of(Map.entry("REQUEST_METHOD", "GET"))));
	}

	private static String encode(List<Map.Entry<String, String>> environment) {
		ByteBuf header = ScgiRequestHeader.encode(environment, UnpooledByteBufAllocator.DEFAULT);
		try {
			return header.toString(StandardCharsets.ISO_8859_1);
		}
		finally {
			header.release();
		}
	}

}
