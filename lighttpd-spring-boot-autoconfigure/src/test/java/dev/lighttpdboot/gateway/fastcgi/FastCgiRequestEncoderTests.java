package dev.lighttpdboot.gateway.fastcgi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.PARAMS;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

class FastCgiRequestEncoderTests {

	private final EmbeddedChannel channel = new EmbeddedChannel(new FastCgiRequestEncoder());

	@Test
	void encodesBeginRequest() {
		this.channel.writeOutbound(new FastCgiBeginRequest(258, FastCgiRole.RESPONDER, true),
				new FastCgiBeginRequest(1, FastCgiRole.FILTER, false));
		assertThat(TestRecord.drainOutbound(this.channel)).containsExactly(
				1, 1, 1, 2, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
				1, 1, 0, 1, 0, 8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0);
		assertFinished();
	}

	@Test
	void encodesAbortRequest() {
		this.channel.writeOutbound(new FastCgiAbortRequest(65535));
		assertThat(TestRecord.drainOutbound(this.channel)).containsExactly(1, 2, 0xff, 0xff, 0, 0, 0, 0);
		assertFinished();
	}

	@Test
	void encodesParamsAsPaddedRecordAndEndOfStream() {
		this.channel.writeOutbound(new FastCgiParams(1,
				List.of(Map.entry("SCRIPT_FILENAME", "/srv/index.php"), Map.entry("REQUEST_METHOD", "GET"))));
		byte[] bytes = TestRecord.drainOutbound(this.channel);
		String content = "\u000f\u000eSCRIPT_FILENAME/srv/index.php\u000e\u0003REQUEST_METHODGET";
		// 50 bytes of content, padded to 56.
		assertThat(TestRecord.parseAll(bytes)).usingRecursiveFieldByFieldElementComparator()
			.containsExactly(TestRecord.of(PARAMS, 1, content, 6), TestRecord.of(PARAMS, 1, ""));
		assertFinished();
	}

	@Test
	void encodesEmptyParamsAsEndOfStreamOnly() {
		this.channel.writeOutbound(new FastCgiParams(9, List.of()));
		assertThat(TestRecord.drainOutbound(this.channel)).containsExactly(1, 4, 0, 9, 0, 0, 0, 0);
		assertFinished();
	}

	@Test
	void encodesLengthsFrom128InFourBytes() {
		String name = "N".repeat(127);
		String value = "v".repeat(128);
		this.channel.writeOutbound(new FastCgiParams(1, List.of(Map.entry(name, value))));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(this.channel));
		byte[] content = records.get(0).content();
		assertThat(content).hasSize(1 + 4 + 127 + 128).startsWith(127, 0x80, 0, 0, 128, 'N');
		assertThat(records.get(0).pairs()).containsExactly(Map.entry(name, value));
		assertFinished();
	}

	@Test
	void splitsManyParamsIntoRecordsWithoutSplittingAPair() {
		Map<String, String> params = new LinkedHashMap<>();
		for (int i = 0; i < 300; i++) {
			params.put("HTTP_X_HEADER_" + i, Integer.toString(i).repeat(1 + i % 1000));
		}
		this.channel.writeOutbound(new FastCgiParams(5, new ArrayList<>(params.entrySet())));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(this.channel));
		assertThat(records).hasSizeGreaterThan(3).allSatisfy((record) -> {
			assertThat(record.recordType()).isEqualTo(PARAMS);
			assertThat(record.requestId()).isEqualTo(5);
			assertThat(record.content()).hasSizeLessThanOrEqualTo(65528);
			assertThat((record.content().length + record.paddingLength()) % 8).isZero();
		});
		assertThat(records.get(records.size() - 1).content()).isEmpty();
		// Each record holds whole pairs, as php-fpm needs: each parses on its own.
		Map<String, String> decoded = new LinkedHashMap<>();
		records.forEach((record) -> decoded.putAll(record.pairs()));
		assertThat(decoded).containsExactlyEntriesOf(params);
		assertFinished();
	}

	@Test
	void sendsAPairTooLongForAPaddedRecordWithoutPadding() {
		// 1 + 4 + 1 + 65529 = 65535 bytes: padding it would pass the 65535 bytes php-fpm accepts.
		String value = "v".repeat(65529);
		this.channel.writeOutbound(new FastCgiParams(1, List.of(Map.entry("a", "b"), Map.entry("X", value),
				Map.entry("c", "d"))));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(this.channel));
		assertThat(records).extracting((record) -> record.content().length, TestRecord::paddingLength)
			.containsExactly(tuple(4, 4), tuple(65535, 0), tuple(4, 4), tuple(0, 0));
		assertThat(records.get(1).pairs()).containsExactly(Map.entry("X", value));
		assertFinished();
	}

	@Test
	void failsTheWriteOfAPairLongerThanARecord() {
		String value = "v".repeat(65530);
		ChannelFuture write = this.channel.writeOneOutbound(new FastCgiParams(1, List.of(Map.entry("X", value))));
		this.channel.flushOutbound();
		assertThat(write.cause()).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("X takes 65536 bytes");
		assertThat(this.channel.outboundMessages()).isEmpty();
		assertFinished();
	}

	@Test
	void failsTheWriteOfACharThatIsNotAByte() {
		ChannelFuture write = this.channel.writeOneOutbound(
				new FastCgiParams(1, List.of(Map.entry("A", "b"), Map.entry("PATH_INFO", "/caf\u00e9/\u20ac"))));
		this.channel.flushOutbound();
		assertThat(write.cause()).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("Value of PATH_INFO holds char U+20AC at index 6");
		assertThat(this.channel.outboundMessages()).isEmpty();
		assertFinished();
	}

	@Test
	void slicesStdinIntoRecordsOfAtMost65528Bytes() {
		byte[] body = new byte[64 * 1024];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) (i * 31);
		}
		ByteBuf content = Unpooled.wrappedBuffer(body);
		this.channel.writeOutbound(new FastCgiStdin(1, content));
		List<ByteBuf> written = readOutboundBuffers();
		assertThat(written).hasSize(4);
		// The content goes out as slices of the caller's buffer, not copies.
		assertThat(written.get(1).array()).isSameAs(body);
		assertThat(written.get(3).array()).isSameAs(body);
		byte[] bytes = drain(written);
		assertThat(TestRecord.parseAll(bytes)).extracting((record) -> record.content().length,
				TestRecord::paddingLength, TestRecord::recordType)
			.containsExactly(tuple(65528, 0, STDIN), tuple(8, 0, STDIN));
		assertThat(concatContent(TestRecord.parseAll(bytes))).isEqualTo(body);
		assertThat(content.refCnt()).isZero();
		assertFinished();
	}

	@Test
	void padsStdinRecordsAndStartsAtTheReaderIndex() {
		ByteBuf content = Unpooled.buffer().writeBytes("--hello".getBytes());
		content.skipBytes(2);
		this.channel.writeOutbound(new FastCgiStdin(4, content));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(this.channel));
		assertThat(records).usingRecursiveFieldByFieldElementComparator()
			.containsExactly(TestRecord.of(STDIN, 4, "hello", 3));
		assertThat(content.refCnt()).isZero();
		assertFinished();
	}

	@Test
	void encodesEndOfStdinAsOneEmptyRecord() {
		FastCgiStdin end = FastCgiStdin.endOfStream(2);
		assertThat(end.isEndOfStream()).isTrue();
		this.channel.writeOutbound(end);
		assertThat(TestRecord.drainOutbound(this.channel)).containsExactly(1, 5, 0, 2, 0, 0, 0, 0);
		assertFinished();
	}

	@Test
	void encodesGetValuesAsOneManagementRecord() {
		this.channel.writeOutbound(new FastCgiGetValues(
				List.of(FastCgiGetValues.MAX_CONNS, FastCgiGetValues.MAX_REQS, FastCgiGetValues.MPXS_CONNS)));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(this.channel));
		assertThat(records).singleElement().satisfies((record) -> {
			assertThat(record.recordType()).isEqualTo(FastCgiRecordType.GET_VALUES);
			assertThat(record.requestId()).isZero();
			assertThat((record.content().length + record.paddingLength()) % 8).isZero();
			assertThat(record.pairs()).containsExactly(Map.entry("FCGI_MAX_CONNS", ""), Map.entry("FCGI_MAX_REQS", ""),
					Map.entry("FCGI_MPXS_CONNS", ""));
		});
		assertFinished();
	}

	@Test
	void failsGetValuesThatDoNotFitInARecord() {
		ChannelFuture write = this.channel.writeOneOutbound(new FastCgiGetValues(List.of("N".repeat(40000),
				"M".repeat(40000))));
		this.channel.flushOutbound();
		assertThat(write.cause()).isInstanceOf(IllegalArgumentException.class);
		assertThat(this.channel.outboundMessages()).isEmpty();
		assertFinished();
	}

	@Test
	void passesOtherMessagesThrough() {
		ByteBuf raw = Unpooled.buffer().writeByte(7);
		this.channel.writeOutbound(raw);
		assertThat((Object) this.channel.readOutbound()).isSameAs(raw);
		raw.release();
		assertFinished();
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, -1, 65536 })
	void refusesRequestIdsOutsideTheRange(int requestId) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new FastCgiBeginRequest(requestId, FastCgiRole.RESPONDER, true));
		assertThatIllegalArgumentException().isThrownBy(() -> new FastCgiParams(requestId, List.of()));
		assertThatIllegalArgumentException().isThrownBy(() -> new FastCgiAbortRequest(requestId));
		assertThatIllegalArgumentException().isThrownBy(() -> FastCgiStdin.endOfStream(requestId));
		assertFinished();
	}

	private List<ByteBuf> readOutboundBuffers() {
		List<ByteBuf> buffers = new ArrayList<>();
		for (Object message = this.channel.readOutbound(); message != null; message = this.channel.readOutbound()) {
			buffers.add((ByteBuf) message);
		}
		return buffers;
	}

	private static byte[] drain(List<ByteBuf> buffers) {
		ByteBuf all = Unpooled.buffer();
		for (ByteBuf buffer : buffers) {
			all.writeBytes(buffer);
			buffer.release();
		}
		byte[] bytes = new byte[all.readableBytes()];
		all.readBytes(bytes).release();
		return bytes;
	}

	private static byte[] concatContent(List<TestRecord> records) {
		ByteBuf all = Unpooled.buffer();
		records.forEach((record) -> all.writeBytes(record.content()));
		byte[] bytes = new byte[all.readableBytes()];
		all.readBytes(bytes).release();
		return bytes;
	}

	private void assertFinished() {
		assertThat(this.channel.finishAndReleaseAll()).as("messages left").isFalse();
	}

}
