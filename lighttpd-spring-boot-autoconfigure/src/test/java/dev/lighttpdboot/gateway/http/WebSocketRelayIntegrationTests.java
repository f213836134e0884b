package dev.lighttpdboot.gateway.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.lighttpdboot.test.RealServerTests;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * WebSocket upgrades on a route of protocol http, passed through to the backend: the handshake with the forwarded
 * headers and the subprotocol the backend chose, frames both ways, and a close on one side closing the other with
 * its status. The backend is a Reactor Netty WebSocket server in this JVM: Debian's puma answers a WebSocket
 * handshake only with a gem the CI image does not install.
 */
@DirtiesContext
class WebSocketRelayIntegrationTests extends RealServerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final AtomicReference<WebSocketCloseStatus> closeSeenByBackend = new AtomicReference<>();

	private static final DisposableServer backend = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes
			.ws("/rb/echo", (in, out) -> {
				in.receiveCloseStatus().subscribe(closeSeenByBackend::set);
				String hello = "xff=" + in.headers().get("X-Forwarded-For") + ";proto="
						+ in.headers().get("X-Forwarded-Proto") + ";host=" + in.headers().get("Host");
				return out.sendString(Mono.just(hello))
					.then(out.sendObject(in.receiveFrames().map(WebSocketFrame::retain)).then());
			}, WebsocketServerSpec.builder().protocols("chat").build())
			.ws("/rb/bye", (in, out) -> out.sendString(Mono.just("bye")).then(out.sendClose(4001, "done"))))
		.bindNow();

	@AfterAll
	static void stopBackend() {
		backend.disposeNow();
	}

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "rb");
		registry.add("lighttpd.gateway.routes[0].protocol", () -> "http");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/rb/");
		registry.add("lighttpd.gateway.routes[0].health-check.enabled", () -> "false");
		registry.add("lighttpd.gateway.routes[0].backends[0].address", () -> "127.0.0.1:" + backend.port());
	}

	@Test
	void framesGoBothWaysAndTheClientsCloseReachesTheBackend() throws Exception {
		Messages messages = new Messages();
		WebSocket socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols("chat", "other")
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/rb/echo"), messages)
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(socket.getSubprotocol()).isEqualTo("chat");
		socket.sendText("ping through the gateway", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		Awaitility.await().atMost(WAIT).until(() -> messages.received.size() == 2);
		assertThat(messages.received.get(0))
			.isEqualTo("xff=127.0.0.1;proto=http;host=127.0.0.1:" + this.port);
		assertThat(messages.received.get(1)).isEqualTo("ping through the gateway");
		socket.sendClose(4000, "bye").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(closeSeenByBackend.get())
			.isNotNull()
			.satisfies((status) -> assertThat(status.code()).isEqualTo(4000)));
	}

	@Test
	void theBackendsCloseReachesTheClient() throws Exception {
		Messages messages = new Messages();
		HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/rb/bye"), messages)
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(messages.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(4001);
		assertThat(messages.received).containsExactly("bye");
	}

	@Test
	void aBackendThatRefusesTheUpgradeIs502() {
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/rb/nothing-here"), new Messages())
				.get(WAIT.toSeconds(), TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(WebSocketHandshakeException.class,
					(ex) -> assertThat(ex.getResponse().statusCode()).isEqualTo(502));
	}

	/**
	 * Collects what a client receives.
	 */
	private static final class Messages implements WebSocket.Listener {

		final List<String> received = new CopyOnWriteArrayList<>();

		final CompletableFuture<Integer> closed = new CompletableFuture<>();

		private final StringBuilder partial = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.received.add(this.partial.toString());
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode);
			return null;
		}

	}

}
