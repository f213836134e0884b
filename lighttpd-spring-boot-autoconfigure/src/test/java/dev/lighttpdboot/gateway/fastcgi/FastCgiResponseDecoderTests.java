package dev.lighttpdboot.gateway.fastcgi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.fastcgi.ReceivedParts.Piece;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.END_REQUEST;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.GET_VALUES_RESULT;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDERR;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDOUT;
import static org.assertj.core.api.Assertions.assertThat;

class FastCgiResponseDecoderTests {

	private static final String HEADERS = "Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\n";

	private final EmbeddedChannel channel = new EmbeddedChannel(new FastCgiResponseDecoder());

	@ParameterizedTest
	@EnumSource(Feed.class)
	void decodesAResponseWithInterleavedStderr(Feed feed) {
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 1, HEADERS + "<h1>", 3),
				TestRecord.of(STDERR, 1, "PHP Notice: undefined index", 5), TestRecord.of(STDOUT, 1, "Gone</h1>", 7),
				TestRecord.of(STDERR, 1, ""), TestRecord.of(STDOUT, 1, ""), TestRecord.endRequest(1, 0, 0));
		ByteBuf input = feed.into(this.channel, response);
		assertThat(ReceivedParts.drainJoined(this.channel)).containsExactly(Piece.stdout(1, HEADERS + "<h1>"),
				Piece.stderr(1, "PHP Notice: undefined index"), Piece.stdout(1, "Gone</h1>"),
				new FastCgiEndRequest(1, 0, ProtocolStatus.REQUEST_COMPLETE));
		assertFinishedAndReleased(input);
	}

	@Test
	void emitsOnePiecePerRecordWhenRecordsArriveWhole() {
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 1, "a", 7), TestRecord.of(STDOUT, 1, "b"),
				TestRecord.of(STDOUT, 1, "c", 255));
		ByteBuf input = Feed.WHOLE.into(this.channel, response);
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(Piece.stdout(1, "a"), Piece.stdout(1, "b"),
				Piece.stdout(1, "c"));
		assertFinishedAndReleased(input);
	}

	@Test
	void streamsContentBeforeTheRecordIsComplete() {
		byte[] record = TestRecord.of(STDOUT, 1, "x".repeat(65535), 0).toBytes();
		ByteBuf input = Unpooled.buffer().writeBytes(record);
		this.channel.writeInbound(input.retainedSlice(0, 8 + 100));
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(Piece.stdout(1, "x".repeat(100)));
		this.channel.writeInbound(input.retainedSlice(108, 5000));
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(Piece.stdout(1, "x".repeat(5000)));
		this.channel.writeInbound(input.retainedSlice(5108, record.length - 5108));
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(Piece.stdout(1, "x".repeat(65535 - 5100)));
		input.release();
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 1000, 65535 + 8 })
	void decodesTheLargestRecord(int chunkSize) {
		byte[] content = new byte[65535];
		for (int i = 0; i < content.length; i++) {
			content[i] = (byte) i;
		}
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 7, content, 255),
				TestRecord.of(STDOUT, 7, content, 0), TestRecord.endRequest(7, 0, 0));
		ByteBuf input = (chunkSize == 1) ? Feed.BYTE_BY_BYTE.into(this.channel, response)
				: feedInChunks(response, chunkSize);
		String expected = new String(content, StandardCharsets.ISO_8859_1);
		assertThat(ReceivedParts.drainJoined(this.channel)).containsExactly(Piece.stdout(7, expected + expected),
				new FastCgiEndRequest(7, 0, ProtocolStatus.REQUEST_COMPLETE));
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest
	@EnumSource(Feed.class)
	void skipsRecordsOfUnknownTypesAndRecordsOnlyAClientSends(Feed feed) {
		byte[] response = TestRecord.toBytes(new TestRecord(1, 0, 1, "zero".getBytes(), 4),
				new TestRecord(1, 12, 1, "twelve".getBytes(), 2), new TestRecord(1, 255, 1, new byte[300], 255),
				TestRecord.of(FastCgiRecordType.BEGIN_REQUEST, 1, new byte[8], 0),
				TestRecord.of(FastCgiRecordType.ABORT_REQUEST, 1, new byte[0], 0),
				TestRecord.of(FastCgiRecordType.PARAMS, 1, "\u0001\u0001ab", 4),
				TestRecord.of(FastCgiRecordType.STDIN, 1, "body", 4), TestRecord.of(FastCgiRecordType.DATA, 1, "d", 7),
				TestRecord.of(FastCgiRecordType.GET_VALUES, 0, "\u0001\u0000a", 5), TestRecord.of(STDOUT, 1, "kept"),
				TestRecord.endRequest(1, 0, 0));
		ByteBuf input = feed.into(this.channel, response);
		assertThat(ReceivedParts.drainJoined(this.channel)).containsExactly(Piece.stdout(1, "kept"),
				new FastCgiEndRequest(1, 0, ProtocolStatus.REQUEST_COMPLETE));
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest
	@EnumSource(Feed.class)
	void keepsTheRequestIdOfEachRecord(Feed feed) {
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 1, "one"), TestRecord.of(STDOUT, 65535, "max"),
				TestRecord.endRequest(65535, 0, 0), TestRecord.of(STDOUT, 1, "!"), TestRecord.endRequest(1, 0, 0));
		ByteBuf input = feed.into(this.channel, response);
		assertThat(ReceivedParts.drainJoined(this.channel)).containsExactly(Piece.stdout(1, "one"),
				Piece.stdout(65535, "max"), new FastCgiEndRequest(65535, 0, ProtocolStatus.REQUEST_COMPLETE),
				Piece.stdout(1, "!"), new FastCgiEndRequest(1, 0, ProtocolStatus.REQUEST_COMPLETE));
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(textBlock = """
			0,   REQUEST_COMPLETE
			1,   CANT_MPX_CONN
			2,   OVERLOADED
			3,   UNKNOWN_ROLE
			4,   UNKNOWN
			255, UNKNOWN
			""")
	void decodesEndRequestWithEachProtocolStatus(int code, ProtocolStatus status) {
		ByteBuf input = Feed.BYTE_BY_BYTE.into(this.channel, TestRecord.endRequest(3, 0xfffffffeL, code).toBytes());
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(new FastCgiEndRequest(3, 0xfffffffeL, status));
		assertFinishedAndReleased(input);
	}

	@Test
	void ignoresExtraEndRequestContent() {
		byte[] body = Arrays.copyOf(TestRecord.endRequest(1, 2, 0).content(), 16);
		ByteBuf input = Feed.WHOLE.into(this.channel, TestRecord.of(END_REQUEST, 1, body, 0).toBytes());
		assertThat(ReceivedParts.drain(this.channel))
			.containsExactly(new FastCgiEndRequest(1, 2, ProtocolStatus.REQUEST_COMPLETE));
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest
	@EnumSource(Feed.class)
	void decodesGetValuesResultWithShortAndLongLengths(Feed feed) {
		ByteBuf content = Unpooled.buffer();
		FastCgiNameValuePairs.encode(FastCgiGetValues.MAX_CONNS, "10", content);
		FastCgiNameValuePairs.encode(FastCgiGetValues.MPXS_CONNS, "0", content);
		FastCgiNameValuePairs.encode("X".repeat(200), "y".repeat(300), content);
		byte[] body = new byte[content.readableBytes()];
		content.readBytes(body).release();
		ByteBuf input = feed.into(this.channel, TestRecord.of(GET_VALUES_RESULT, 0, body, 3).toBytes());
		List<Object> parts = ReceivedParts.drain(this.channel);
		assertThat(parts).containsExactly(new FastCgiGetValuesResult(Map.of(FastCgiGetValues.MAX_CONNS, "10",
				FastCgiGetValues.MPXS_CONNS, "0", "X".repeat(200), "y".repeat(300))));
		assertThat(((FastCgiGetValuesResult) parts.get(0)).values().keySet()).startsWith(FastCgiGetValues.MAX_CONNS,
				FastCgiGetValues.MPXS_CONNS);
		assertFinishedAndReleased(input);
		assertThat(content.refCnt()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Feed.class)
	void decodesUnknownType(Feed feed) {
		byte[] body = { 42, 0, 0, 0, 0, 0, 0, 0 };
		ByteBuf input = feed.into(this.channel, TestRecord.of(FastCgiRecordType.UNKNOWN_TYPE, 0, body, 0).toBytes());
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(new FastCgiUnknownType(42));
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			version 0         | 0 | 6  | 1 | FastCGI version 0 instead of 1
			version 2         | 2 | 6  | 1 | FastCGI version 2 instead of 1
			short END_REQUEST | 1 | 3  | 5 | END_REQUEST body too short: 5 of 8 bytes
			short UNKNOWN     | 1 | 11 | 1 | UNKNOWN_TYPE body too short: 1 of 8 bytes
			cut pair          | 1 | 10 | 1 | Malformed GET_VALUES_RESULT: Name-value pair cut short in a length
			""")
	void reportsMalformedRecordsOnceAndDiscardsTheRest(String description, int version, int type, int contentLength,
			String reason) {
		byte[] content = new byte[contentLength];
		content[0] = 1;
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 1, "before"),
				new TestRecord(version, type, 1, content, 0), TestRecord.of(STDOUT, 1, "after"));
		ByteBuf input = Feed.WHOLE.into(this.channel, response);
		ByteBuf more = Feed.WHOLE.into(this.channel, TestRecord.toBytes(TestRecord.of(STDOUT, 1, "later")));
		assertThat(ReceivedParts.drain(this.channel)).containsExactly(Piece.stdout(1, "before"),
				new FastCgiDecodingFailure(reason));
		assertFinishedAndReleased(input);
		assertThat(more.refCnt()).isZero();
	}

	@Test
	void reportsGetValuesResultWithAValueLongerThanTheRecord() {
		byte[] content = { 1, 100, 'a', 'b', 'c' };
		ByteBuf input = Feed.BYTE_BY_BYTE.into(this.channel, TestRecord.of(GET_VALUES_RESULT, 0, content, 3).toBytes());
		assertThat(ReceivedParts.drain(this.channel)).singleElement()
			.isInstanceOfSatisfying(FastCgiDecodingFailure.class,
					(failure) -> assertThat(failure.reason()).startsWith("Malformed GET_VALUES_RESULT"));
		assertFinishedAndReleased(input);
	}

	@ParameterizedTest(name = "cut after {0} bytes")
	@ValueSource(ints = { 1, 7, 8, 9, 11, 12, 13, 19, 20, 21, 27 })
	void reportsARecordCutShort(int length) {
		// STDOUT "abcd" with 4 bytes of padding, then END_REQUEST.
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 1, "abcd", 4), TestRecord.endRequest(1, 0, 0));
		ByteBuf input = Feed.BYTE_BY_BYTE.into(this.channel, Arrays.copyOf(response, length));
		assertThat(this.channel.finish()).isTrue();
		List<Object> parts = ReceivedParts.drainJoined(this.channel);
		assertThat(parts).last().isEqualTo(new FastCgiDecodingFailure(FastCgiResponseDecoder.TRUNCATED_RECORD));
		String content = "abcd".substring(0, Math.max(0, Math.min(4, length - 8)));
		if (content.isEmpty()) {
			assertThat(parts).hasSize(1);
		}
		else {
			assertThat(parts).containsExactly(Piece.stdout(1, content),
					new FastCgiDecodingFailure(FastCgiResponseDecoder.TRUNCATED_RECORD));
		}
		assertThat(input.refCnt()).isZero();
	}

	@Test
	void reportsNothingWhenInputEndsBetweenRecords() {
		// A missing END_REQUEST is for the connection to notice.
		ByteBuf input = Feed.BYTE_BY_BYTE.into(this.channel, TestRecord.of(STDOUT, 1, "abcd", 4).toBytes());
		assertThat(ReceivedParts.drainJoined(this.channel)).containsExactly(Piece.stdout(1, "abcd"));
		assertFinishedAndReleased(input);
	}

	@Test
	void reportsACutRecordOnceWhenInputIsShutDownBeforeTheChannelCloses() {
		ByteBuf input = Feed.WHOLE.into(this.channel, new byte[] { 1, 6, 0 });
		this.channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
		assertThat(this.channel.finish()).isTrue();
		assertThat(ReceivedParts.drain(this.channel))
			.containsExactly(new FastCgiDecodingFailure(FastCgiResponseDecoder.TRUNCATED_RECORD));
		assertThat(input.refCnt()).isZero();
	}

	private void assertFinishedAndReleased(ByteBuf input) {
		assertThat(this.channel.finishAndReleaseAll()).as("messages left").isFalse();
		assertThat(input.refCnt()).as("input references").isZero();
	}

	private ByteBuf feedInChunks(byte[] bytes, int chunkSize) {
		return Feed.feed(this.channel, bytes, chunkSize);
	}

	/**
	 * How the bytes of a fixture reach the decoder.
	 */
	enum Feed {

		WHOLE(Integer.MAX_VALUE), BYTE_BY_BYTE(1), SEVEN_BYTES(7);

		private final int chunkSize;

		Feed(int chunkSize) {
			this.chunkSize = chunkSize;
		}

		/**
		 * Feed the bytes, returning the buffer they came from (already released by the test) so that the test can
		 * check that the decoder let go of it too.
		 */
		ByteBuf into(EmbeddedChannel channel, byte[] bytes) {
			return feed(channel, bytes, this.chunkSize);
		}

		static ByteBuf feed(EmbeddedChannel channel, byte[] bytes, int chunkSize) {
			ByteBuf input = Unpooled.buffer(bytes.length).writeBytes(bytes);
			for (int index = 0; index < bytes.length; index += chunkSize) {
				channel.writeInbound(input.retainedSlice(index, Math.min(chunkSize, bytes.length - index)));
			}
			input.release();
			return input;
		}

	}

}
