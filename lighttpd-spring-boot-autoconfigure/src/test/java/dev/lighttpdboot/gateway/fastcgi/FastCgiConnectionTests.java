package dev.lighttpdboot.gateway.fastcgi;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDERR;
import static dev.lighttpdboot.gateway.fastcgi.FastCgiRecordType.STDOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link FastCgiConnection} on an {@link EmbeddedChannel}: what one request writes, and how the records of its
 * response, fed whole or one byte at a time, reach the response head, the body, the stderr log and the pool.
 */
class FastCgiConnectionTests {

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

	private static final List<Map.Entry<String, String>> PARAMS = List.of(Map.entry("REQUEST_METHOD", "GET"),
			Map.entry("SCRIPT_FILENAME", "/srv/www/hello.php"));

	private final ReadCounter reads = new ReadCounter();

	private EmbeddedChannel channel;

	private FastCgiConnection connection;

	@BeforeEach
	void connect() {
		this.channel = new EmbeddedChannel(this.reads);
		this.channel.freezeTime();
		this.connection = new FastCgiConnection(Connection.from(this.channel), READ_TIMEOUT);
		// What the channel read on its own when it became active, before the connection took it over.
		this.reads.reads = 0;
	}

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	@Test
	void aRequestWithoutBodyLeavesInOneWriteAndOneFlush() {
		start(Flux.empty());
		assertThat(this.channel.outboundMessages()).hasSize(1);
		assertThat(this.reads.flushes).isOne();
		EmbeddedChannel separately = new EmbeddedChannel(new FastCgiRequestEncoder());
		separately.writeOutbound(new FastCgiBeginRequest(1, FastCgiRole.RESPONDER, true), new FastCgiParams(1, PARAMS),
				FastCgiStdin.endOfStream(1));
		assertThat(TestRecord.drainOutbound(this.channel)).isEqualTo(TestRecord.drainOutbound(separately));
	}

	@Test
	void aRequestBodyFollowsTheHeadAndEndsWithAnEmptyStdinRecord() {
		Flux<DataBuffer> body = Flux.just("name=", "value")
			.map((text) -> DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes()));
		start(body);
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(this.channel));
		assertThat(records).extracting(TestRecord::recordType)
			.containsExactly(FastCgiRecordType.BEGIN_REQUEST, FastCgiRecordType.PARAMS, FastCgiRecordType.PARAMS,
					FastCgiRecordType.STDIN, FastCgiRecordType.STDIN, FastCgiRecordType.STDIN);
		assertThat(records.subList(3, 6)).extracting(TestRecord::contentAsString).containsExactly("name=", "value", "");
	}

	@Test
	void aResponseFedOneByteAtATimeReachesHeadBodyAndStderr() {
		Recorder recorder = start(Flux.empty());
		byte[] response = TestRecord.toBytes(TestRecord.of(STDOUT, 1, "Status: 201\r\nContent-Type: text/plain\r\n\r\nHel", 3),
				TestRecord.of(STDERR, 1, "PHP_Notice:_x"), TestRecord.of(STDOUT, 1, "lo, world", 7),
				TestRecord.of(STDOUT, 1, ""), TestRecord.of(STDERR, 1, ""), TestRecord.endRequest(1, 0, 0));
		BodySubscriber body = null;
		for (byte b : response) {
			this.channel.writeInbound(Unpooled.wrappedBuffer(new byte[] { b }));
			if (body == null && recorder.response != null) {
				body = BodySubscriber.subscribe(recorder.response, Long.MAX_VALUE);
			}
		}
		assertThat(recorder.response.head().status().value()).isEqualTo(201);
		assertThat(body.text()).isEqualTo("Hello, world");
		assertThat(body.completed).isTrue();
		assertThat(String.join("", recorder.stderr)).isEqualTo("PHP_Notice:_x");
		assertThat(recorder.done).isOne();
		assertThat(recorder.failure).isNull();
		assertThat(this.connection.isReusable()).isTrue();
		assertThat(this.channel.isOpen()).isTrue();
	}

	@Test
	void theSocketIsReadOnlyWhileTheHeadIsAwaitedOrTheBodyAsksForMore() {
		Recorder recorder = start(Flux.empty());
		assertThat(this.reads.reads).as("reads while the head is awaited").isOne();
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\n")));
		assertThat(recorder.response).isNotNull();
		assertThat(this.reads.reads).as("reads once the head is in and nobody asks for the body").isOne();
		BodySubscriber body = BodySubscriber.subscribe(recorder.response, 0);
		assertThat(this.reads.reads).isOne();
		body.subscription.request(1);
		assertThat(this.reads.reads).as("reads once the body asks").isEqualTo(2);
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "one"), TestRecord.of(STDOUT, 1, "two")));
		assertThat(body.text()).isEqualTo("one");
		assertThat(this.reads.reads).as("reads while what arrived is not taken").isEqualTo(2);
		body.subscription.request(1);
		assertThat(body.text()).isEqualTo("onetwo");
		assertThat(this.reads.reads).isEqualTo(2);
		body.subscription.request(1);
		assertThat(this.reads.reads).isEqualTo(3);
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, ""), TestRecord.endRequest(1, 0, 0)));
		assertThat(body.completed).isTrue();
		assertThat(this.connection.isReusable()).isTrue();
	}

	@Test
	void aBackendSilentBeyondTheReadTimeoutFailsTheRequestAndLosesTheConnection() {
		Recorder recorder = start(Flux.empty());
		this.channel.advanceTimeBy(READ_TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
		this.channel.runScheduledPendingTasks();
		assertThat(recorder.failure).isNull();
		this.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
		this.channel.runScheduledPendingTasks();
		assertThat(recorder.failure).isNotNull();
		assertThat(recorder.failure.getStatusCode().value()).isEqualTo(504);
		assertThat(recorder.failure.beforeResponse()).isTrue();
		assertThat(recorder.done).isOne();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aClientThatDoesNotReadDoesNotMakeTheBackendLookSilent() {
		Recorder recorder = start(Flux.empty());
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\nstart")));
		BodySubscriber body = BodySubscriber.subscribe(recorder.response, 1);
		assertThat(body.text()).isEqualTo("start");
		this.channel.advanceTimeBy(READ_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
		this.channel.runScheduledPendingTasks();
		assertThat(body.error).isNull();
		assertThat(this.channel.isOpen()).isTrue();
		body.subscription.request(1);
		this.channel.advanceTimeBy(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		this.channel.runScheduledPendingTasks();
		assertThat(body.error).isInstanceOf(BackendException.class);
		assertThat(((BackendException) body.error).getStatusCode().value()).isEqualTo(504);
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aRecordForAnotherRequestBreaksTheConnection() {
		Recorder recorder = start(Flux.empty());
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 2, "Content-Type: text/plain\r\n\r\nnot yours")));
		assertThat(recorder.response).isNull();
		assertThat(recorder.failure.getStatusCode().value()).isEqualTo(502);
		assertThat(recorder.done).isOne();
		assertThat(this.connection.isReusable()).isFalse();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aRecordBetweenRequestsBreaksTheConnection() {
		Recorder recorder = start(Flux.empty());
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\n"),
				TestRecord.endRequest(1, 0, 0)));
		BodySubscriber.subscribe(recorder.response, Long.MAX_VALUE);
		assertThat(this.connection.isReusable()).isTrue();
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "late")));
		assertThat(this.connection.isReusable()).isFalse();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void afterEndRequestTheConnectionCarriesTheNextRequest() {
		Recorder first = start(Flux.empty());
		assertThat(this.connection.isReused()).isFalse();
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\none"),
				TestRecord.endRequest(1, 0, 0)));
		assertThat(first.done).as("given back at END_REQUEST, before its body is read").isOne();
		assertThat(BodySubscriber.subscribe(first.response, Long.MAX_VALUE).text()).isEqualTo("one");
		TestRecord.drainOutbound(this.channel);
		Recorder second = start(Flux.empty());
		assertThat(this.connection.isReused()).isTrue();
		assertThat(this.channel.outboundMessages()).hasSize(1);
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\ntwo"),
				TestRecord.endRequest(1, 0, 0)));
		assertThat(BodySubscriber.subscribe(second.response, Long.MAX_VALUE).text()).isEqualTo("two");
		assertThat(this.connection.isReusable()).isTrue();
	}

	@Test
	void aConnectionClosedBeforeAnyRecordIsLostNotBroken() {
		Recorder recorder = start(Flux.empty());
		this.channel.close();
		assertThat(recorder.failure.connectionLost()).isTrue();
		assertThat(recorder.failure.getStatusCode().value()).isEqualTo(502);
		assertThat(recorder.done).isOne();
	}

	@Test
	void aConnectionClosedInTheBodyCutsTheBodyAfterWhatArrived() {
		Recorder recorder = start(Flux.empty());
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\npart")));
		BodySubscriber body = BodySubscriber.subscribe(recorder.response, Long.MAX_VALUE);
		this.channel.close();
		assertThat(body.text()).isEqualTo("part");
		assertThat(body.error).isInstanceOf(BackendException.class);
		assertThat(((BackendException) body.error).connectionLost()).isFalse();
		assertThat(recorder.done).isOne();
	}

	@Test
	void aBodyCancelledBeforeEndRequestClosesTheConnection() {
		Recorder recorder = start(Flux.empty());
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\npart"),
				TestRecord.of(STDOUT, 1, "more")));
		BodySubscriber body = BodySubscriber.subscribe(recorder.response, 1);
		body.subscription.cancel();
		assertThat(recorder.done).isOne();
		assertThat(this.connection.isReusable()).isFalse();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aBackendThatAnswersBeforeTheWholeRequestArrivedDoesNotGetTheConnectionBack() {
		Flux<DataBuffer> endless = Flux.concat(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap("part".getBytes())),
				Flux.never());
		Recorder recorder = start(endless);
		this.channel.writeInbound(records(TestRecord.of(STDOUT, 1, "Content-Type: text/plain\r\n\r\nearly"),
				TestRecord.endRequest(1, 0, 0)));
		assertThat(BodySubscriber.subscribe(recorder.response, Long.MAX_VALUE).text()).isEqualTo("early");
		assertThat(recorder.done).isOne();
		assertThat(this.connection.isReusable()).isFalse();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aMalformedRecordFailsTheRequest() {
		Recorder recorder = start(Flux.empty());
		this.channel.writeInbound(Unpooled.wrappedBuffer(new byte[] { 2, 6, 0, 1, 0, 0, 0, 0 }));
		assertThat(recorder.failure.getStatusCode().value()).isEqualTo(502);
		assertThat(recorder.failure.getReason()).contains("malformed");
		assertThat(this.channel.isOpen()).isFalse();
	}

	private Recorder start(Flux<DataBuffer> body) {
		Recorder recorder = new Recorder();
		FastCgiExchange exchange = new FastCgiExchange("test", PARAMS, body,
				(backend, text) -> recorder.stderr.add(text), 64 * 1024, recorder);
		this.connection.start(exchange);
		return recorder;
	}

	private static ByteBuf records(TestRecord... records) {
		return Unpooled.wrappedBuffer(TestRecord.toBytes(records));
	}

	/** Counts the reads and flushes the connection asks its channel for. */
	private static final class ReadCounter extends ChannelOutboundHandlerAdapter {

		int reads;

		int flushes;

		@Override
		public void read(ChannelHandlerContext ctx) {
			this.reads++;
			ctx.read();
		}

		@Override
		public void flush(ChannelHandlerContext ctx) {
			this.flushes++;
			ctx.flush();
		}

	}

	private static final class Recorder implements FastCgiExchange.Listener {

		final List<String> stderr = new ArrayList<>();

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
		public void done(FastCgiConnection connection) {
			this.done++;
		}

	}

	private static final class BodySubscriber implements CoreSubscriber<DataBuffer> {

		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		Subscription subscription;

		boolean completed;

		Throwable error;

		private final long initialRequest;

		private BodySubscriber(long initialRequest) {
			this.initialRequest = initialRequest;
		}

		static BodySubscriber subscribe(GatewayResponse response, long initialRequest) {
			BodySubscriber subscriber = new BodySubscriber(initialRequest);
			response.body().subscribe(subscriber);
			return subscriber;
		}

		String text() {
			return this.bytes.toString();
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			this.subscription = subscription;
			if (this.initialRequest > 0) {
				subscription.request(this.initialRequest);
			}
		}

		@Override
		public void onNext(DataBuffer buffer) {
			byte[] array = new byte[buffer.readableByteCount()];
			buffer.read(array);
			this.bytes.writeBytes(array);
			DataBufferUtils.release(buffer);
		}

		@Override
		public void onError(Throwable ex) {
			this.error = ex;
		}

		@Override
		public void onComplete() {
			this.completed = true;
		}

	}

}
