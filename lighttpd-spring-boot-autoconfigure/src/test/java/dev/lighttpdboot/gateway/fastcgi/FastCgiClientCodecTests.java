package dev.lighttpdboot.gateway.fastcgi;

import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.fastcgi.ReceivedParts.Piece;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.BEGIN_REQUEST;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.PARAMS;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDIN;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class FastCgiClientCodecTests {

	@Test
	void carriesARequestOutAndItsResponseIn() {
		EmbeddedChannel channel = new EmbeddedChannel(new FastCgiClientCodec());
		ByteBuf body = Unpooled.buffer().writeBytes("name=value".getBytes());
		channel.writeOutbound(new FastCgiBeginRequest(1, FastCgiRole.RESPONDER, true),
				new FastCgiParams(1, List.of(Map.entry("REQUEST_METHOD", "POST"), Map.entry("CONTENT_LENGTH", "10"))),
				new FastCgiStdin(1, body), FastCgiStdin.endOfStream(1));
		List<TestRecord> request = TestRecord.parseAll(TestRecord.drainOutbound(channel));
		assertThat(request).extracting(TestRecord::recordType, TestRecord::requestId, TestRecord::contentAsString)
			.containsExactly(tuple(BEGIN_REQUEST, 1, "\u0000\u0001\u0001\u0000\u0000\u0000\u0000\u0000"),
					tuple(PARAMS, 1, "\u000e\u0004REQUEST_METHODPOST\u000e\u0002CONTENT_LENGTH10"),
					tuple(PARAMS, 1, ""), tuple(STDIN, 1, "name=value"), tuple(STDIN, 1, ""));

		ByteBuf response = Unpooled.wrappedBuffer(TestRecord.toBytes(
				TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\nok", 1), TestRecord.of(STDOUT, 1, ""),
				TestRecord.endRequest(1, 0, 0)));
		channel.writeInbound(response);
		assertThat(ReceivedParts.drain(channel)).containsExactly(
				Piece.stdout(1, "Content-Type: text/plain\r\n\r\nok"),
				new FastCgiEndRequest(1, 0, ProtocolStatus.REQUEST_COMPLETE));
		assertThat(channel.finishAndReleaseAll()).isFalse();
		assertThat(body.refCnt()).isZero();
		assertThat(response.refCnt()).isZero();
	}

}
