package dev.lighttpdboot.gateway.ajp13;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.connection.ExchangeListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static dev.lighttpdboot.gateway.ajp13.Ajp13CodecTests.packet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@link Ajp13Connection} on an {@link EmbeddedChannel}: what one exchange writes, how it answers
 * GET_BODY_CHUNK, and when END_RESPONSE leaves the connection reusable.
 */
class Ajp13ConnectionTests {

	private static final byte[] FORWARD = { 0x12, 0x34, 0, 1, 2 };

	private EmbeddedChannel channel;

	private Ajp13Connection connection;

	@BeforeEach
	void connect() {
		this.channel = new EmbeddedChannel();
		this.channel.freezeTime();
		this.connection = new Ajp13Connection(Connection.from(this.channel), Duration.ofSeconds(10), 8192);
	}

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	@Test
	void endResponseWithReuseKeepsTheConnection() {
		Recorder recorder = start(Flux.empty(), 0);
		assertThat(written()).isEqualTo(FORWARD);
		respond(headers(), packet(new Ajp13CodecTests.Bytes().bytes(3).shortInt(2).bytes('o', 'k', 0)), end(1));
		assertThat(body(recorder.response)).isEqualTo("ok");
		assertThat(recorder.done).isOne();
		assertThat(this.connection.isReusable()).isTrue();
		assertThat(this.channel.isOpen()).isTrue();
	}

	@Test
	void endResponseWithoutReuseClosesTheConnection() {
		Recorder recorder = start(Flux.empty(), 0);
		respond(headers(), end(0));
		assertThat(body(recorder.response)).isEmpty();
		assertThat(recorder.done).isOne();
		assertThat(this.connection.isReusable()).isFalse();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void theBodyGoesFirstUnaskedThenAsAskedThenEndsWithTheEmptyPacket() {
		byte[] body = new byte[10000];
		body[0] = 1;
		body[9999] = 2;
		start(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)), body.length);
		byte[] first = written();
		// The forward request, then a data packet of the most a packet carries: 8186 bytes.
		assertThat(first).hasSize(FORWARD.length + 6 + 8186);
		assertThat(java.util.Arrays.copyOfRange(first, 5, 11)).containsExactly(0x12, 0x34, 0x1F, 0xFC, 0x1F, 0xFA);
		respond(packet(new Ajp13CodecTests.Bytes().bytes(6).shortInt(1000)));
		byte[] second = written();
		assertThat(second).hasSize(6 + 1000);
		respond(packet(new Ajp13CodecTests.Bytes().bytes(6).shortInt(8186)));
		byte[] third = written();
		assertThat(third).hasSize(6 + 814);
		assertThat(third[third.length - 1]).isEqualTo((byte) 2);
		respond(packet(new Ajp13CodecTests.Bytes().bytes(6).shortInt(8186)));
		assertThat(written()).containsExactly(0x12, 0x34, 0, 0);
	}

	@Test
	void anEndWhileABodyChunkIsOwedLeavesTheConnectionUnusable() {
		// The body never arrives: the container's GET_BODY_CHUNK stays unanswered.
		start(Flux.never(), 100);
		respond(headers(), end(1));
		assertThat(this.connection.isReusable()).isFalse();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aBodyChunkBeforeTheHeadersIsABrokenResponse() {
		Recorder recorder = start(Flux.empty(), 0);
		respond(packet(new Ajp13CodecTests.Bytes().bytes(3).shortInt(2).bytes('o', 'k', 0)));
		assertThat(recorder.failure.kind()).isEqualTo(BackendException.Kind.BROKEN);
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aCloseBeforeAnyPacketIsALostConnection() {
		Recorder recorder = start(Flux.empty(), 0);
		this.channel.close();
		assertThat(recorder.failure.kind()).isEqualTo(BackendException.Kind.CONNECTION_LOST);
	}

	private Recorder start(Flux<DataBuffer> body, long length) {
		Recorder recorder = new Recorder();
		new Ajp13Exchange("test", FORWARD, body, length, 8186, recorder).start(this.connection);
		this.channel.runPendingTasks();
		return recorder;
	}

	private void respond(byte[]... packets) {
		for (byte[] packet : packets) {
			this.channel.writeInbound(Unpooled.wrappedBuffer(packet));
		}
		this.channel.runPendingTasks();
	}

	private byte[] written() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (ByteBuf buffer; (buffer = this.channel.readOutbound()) != null;) {
			byte[] bytes = new byte[buffer.readableBytes()];
			buffer.readBytes(bytes);
			buffer.release();
			out.writeBytes(bytes);
		}
		return out.toByteArray();
	}

	private static byte[] headers() {
		return packet(new Ajp13CodecTests.Bytes().bytes(4).shortInt(200).string("OK").shortInt(0));
	}

	private static byte[] end(int reuse) {
		return packet(new Ajp13CodecTests.Bytes().bytes(5).bytes(reuse));
	}

	private static String body(GatewayResponse response) {
		StringBuilder text = new StringBuilder();
		response.body().doOnNext((buffer) -> {
			text.append(buffer.toString(java.nio.charset.StandardCharsets.US_ASCII));
			DataBufferUtils.release(buffer);
		}).blockLast(Duration.ofSeconds(5));
		return text.toString();
	}

	private static final class Recorder implements ExchangeListener<Ajp13Connection> {

		GatewayResponse response;

		BackendException failure;

		int done;

		@Override
		public void head(GatewayResponse response) {
			this.response = response;
		}

		@Override
		public void failed(BackendException ex, boolean reused) {
			this.failure = ex;
		}

		@Override
		public void done(Ajp13Connection connection) {
			this.done++;
		}

	}

}
