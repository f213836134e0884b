package dev.lighttpdboot.gateway.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.http.FaultyHttpServer.Action;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import dev.lighttpdboot.test.LeakWatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The failures of an HTTP backend mapped to the gateway's kinds, against a server that closes, resets or stays
 * silent on cue ({@link FaultyHttpServer}): what decides fail-over, the retry of safe methods and the 502/503/504
 * answers.
 */
class HttpBackendTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final BackendOptions OPTIONS = new BackendOptions(1, 0, Duration.ofSeconds(2),
			Duration.ofSeconds(1), Duration.ofSeconds(30), 8192);

	private FaultyHttpServer server;

	private HttpBackend backend;

	@AfterEach
	void close() throws IOException {
		if (this.backend != null) {
			this.backend.dispose().block(WAIT);
		}
		if (this.server != null) {
			this.server.close();
		}
	}

	@AfterAll
	static void noBufferLeaked() {
		LeakWatch.assertNoLeaks();
	}

	@Test
	void aSafeRequestIsSentAgainWhenItsKeptAliveConnectionWasClosed() throws IOException {
		// Every connection answers its first request and closes on the second, as a backend that timed it out.
		start((connection, request) -> (request == 0) ? Action.ANSWER : Action.CLOSE);
		assertThat(body(exchange(HttpMethod.GET))).isEqualTo("ok");
		assertThat(body(exchange(HttpMethod.GET))).isEqualTo("ok");
		assertThat(this.server.connections()).isEqualTo(2);
	}

	@Test
	void anUnsafeRequestOnAClosedKeptAliveConnectionIsNotSentAgain() throws IOException {
		start((connection, request) -> (request == 0) ? Action.ANSWER : Action.CLOSE);
		assertThat(body(exchange(HttpMethod.POST))).isEqualTo("ok");
		assertThatExceptionOfType(BackendException.class).isThrownBy(() -> exchange(HttpMethod.POST))
			.satisfies((ex) -> {
				assertThat(ex.kind()).isEqualTo(BackendException.Kind.CONNECTION_LOST);
				assertThat(ex.getStatusCode().value()).isEqualTo(502);
			});
		assertThat(this.server.connections()).isEqualTo(1);
	}

	@Test
	void aResetOnAFreshConnectionIs502AndNotRetried() throws IOException {
		start((connection, request) -> Action.RESET);
		assertThatExceptionOfType(BackendException.class).isThrownBy(() -> exchange(HttpMethod.GET))
			.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(502));
		assertThat(this.server.connections()).isEqualTo(1);
	}

	@Test
	void silenceBeyondTheReadTimeoutIs504() throws IOException {
		start((connection, request) -> Action.SILENT);
		assertThatExceptionOfType(BackendException.class).isThrownBy(() -> exchange(HttpMethod.GET))
			.satisfies((ex) -> {
				assertThat(ex.kind()).isEqualTo(BackendException.Kind.TIMEOUT);
				assertThat(ex.beforeResponse()).isTrue();
			});
	}

	@Test
	void aRequestBeyondTheConnectionsAndQueueIsRefusedAsQueueFull() throws IOException {
		start((connection, request) -> Action.SILENT);
		Mono<GatewayResponse> first = this.backend.exchange(request(HttpMethod.GET), (name, text) -> {
		});
		reactor.core.Disposable holding = first.subscribe(null, (ex) -> {
		});
		try {
			org.awaitility.Awaitility.await().atMost(WAIT).until(() -> this.server.connections() == 1);
			assertThatExceptionOfType(BackendException.class).isThrownBy(() -> exchange(HttpMethod.GET))
				.satisfies((ex) -> assertThat(ex.queueFull()).as(ex.getReason()).isTrue());
		}
		finally {
			holding.dispose();
		}
	}

	@Test
	void noListenerIsNotTaken() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		this.backend = new HttpBackend("closed", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), OPTIONS,
				null);
		assertThatExceptionOfType(BackendException.class).isThrownBy(() -> exchange(HttpMethod.GET))
			.satisfies((ex) -> {
				assertThat(ex.kind()).isEqualTo(BackendException.Kind.NOT_TAKEN);
				assertThat(ex.getStatusCode().value()).isEqualTo(503);
			});
	}

	private void start(FaultyHttpServer.Script script) throws IOException {
		this.server = new FaultyHttpServer(script);
		this.backend = new HttpBackend("faulty", this.server.address(), OPTIONS, null);
	}

	private GatewayResponse exchange(HttpMethod method) {
		return this.backend.exchange(request(method), (name, text) -> {
		}).block(WAIT);
	}

	private static GatewayRequest request(HttpMethod method) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("Host", "example.test");
		SpooledBody body = HttpMethod.POST.equals(method) ? SpooledBody.of("a=1".getBytes()) : SpooledBody.EMPTY;
		return GatewayRequest.outgoing(method, URI.create("http://example.test/x"), headers, null, body);
	}

	private static String body(GatewayResponse response) {
		List<DataBuffer> buffers = response.body().collectList().block(WAIT);
		StringBuilder text = new StringBuilder();
		for (DataBuffer buffer : buffers) {
			text.append(buffer.toString(java.nio.charset.StandardCharsets.UTF_8));
			DataBufferUtils.release(buffer);
		}
		return text.toString();
	}

}
