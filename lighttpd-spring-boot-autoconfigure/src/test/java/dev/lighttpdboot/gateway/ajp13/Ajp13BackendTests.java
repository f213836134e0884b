package dev.lighttpdboot.gateway.ajp13;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.peers.Echo;
import dev.lighttpdboot.test.peers.TomcatAjp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link Ajp13Backend} against Tomcat's AJP connector ({@link TomcatAjp}), with and without its secret.
 */
class Ajp13BackendTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final TomcatAjp tomcat = TomcatAjp.onFreePort();

	@RegisterExtension
	static final TomcatAjp guarded = TomcatAjp.withSecret("s3cret");

	private Ajp13Backend backend;

	@AfterAll
	static void noBufferLeaked() {
		LeakWatch.assertNoLeaks();
	}

	@AfterEach
	void dispose() {
		if (this.backend != null) {
			this.backend.dispose().block(TIMEOUT);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void theServletSeesTheRequestAsTheClientSentIt() throws Exception {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Content-Type", "application/x-www-form-urlencoded");
		headers.add("User-Agent", "test/1");
		headers.add("Cookie", "a=1");
		headers.add("X-Trace", "abc");
		headers.add("Connection", "x-private");
		headers.add("X-Private", "hop");
		headers.add("Host", "app.example:8443");
		byte[] body = "name=value&other=1".getBytes();
		Answer answer = send(backend(tomcat, Ajp13Settings.DEFAULTS),
				request(HttpMethod.POST, "/java/a%20b?x=1&y=%20", headers, body, true));
		assertThat(answer.status()).isEqualTo(200);
		Map<String, Object> echo = JSON.readValue(answer.body(), Map.class);
		assertThat(echo).containsEntry("method", "POST")
			.containsEntry("requestUri", "/java/a%20b")
			.containsEntry("pathInfo", "/java/a b")
			.containsEntry("query", "x=1&y=%20")
			.containsEntry("protocol", "HTTP/1.1")
			.containsEntry("remoteAddr", "192.0.2.7")
			.containsEntry("remotePort", 4711)
			.containsEntry("localAddr", "127.0.0.1")
			.containsEntry("serverName", "app.example")
			.containsEntry("serverPort", 8443)
			.containsEntry("secure", true)
			.containsEntry("scheme", "https")
			.containsEntry("bodyLength", body.length)
			.containsEntry("bodySha256", sha256(body));
		assertThat((Map<String, Object>) echo.get("headers")).containsEntry("x-trace", "abc")
			.containsEntry("user-agent", "test/1")
			.containsEntry("cookie", "a=1")
			.containsEntry("content-type", "application/x-www-form-urlencoded")
			.containsEntry("content-length", Integer.toString(body.length))
			.doesNotContainKeys("connection", "x-private");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aMethodWithoutACodeTravelsAsAStoredMethod() throws Exception {
		Answer answer = send(backend(tomcat, Ajp13Settings.DEFAULTS),
				request(HttpMethod.valueOf("PATCH"), "/java/x", new HttpHeaders(), new byte[0], false));
		Map<String, Object> echo = JSON.readValue(answer.body(), Map.class);
		assertThat(echo).containsEntry("method", "PATCH").containsEntry("secure", false)
			.containsEntry("scheme", "http");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aBodyOfManyPacketsIsSentAsTheContainerAsksForIt() throws Exception {
		byte[] body = Echo.streamed(200_000);
		Answer answer = send(backend(tomcat, Ajp13Settings.DEFAULTS),
				request(HttpMethod.PUT, "/java/upload", new HttpHeaders(), body, false));
		Map<String, Object> echo = JSON.readValue(answer.body(), Map.class);
		assertThat(echo).containsEntry("bodyLength", body.length).containsEntry("bodySha256", sha256(body));
	}

	@Test
	void aLargeAnswerStreamsWhole() {
		Answer answer = send(backend(tomcat, Ajp13Settings.DEFAULTS),
				request(HttpMethod.GET, "/java/echo?stream=300000", new HttpHeaders(), new byte[0], false));
		assertThat(answer.body()).isEqualTo(Echo.streamed(300000));
		assertThat(send(this.backend,
				request(HttpMethod.GET, "/java/echo?status=404", new HttpHeaders(), new byte[0], false)).status())
			.isEqualTo(404);
	}

	@Test
	@SuppressWarnings("unchecked")
	void aWebClientReachesTheServletThroughTheConnector() throws Exception {
		WebClient client = WebClient.builder()
			.clientConnector(new CgiClientHttpConnector(backend(tomcat, Ajp13Settings.DEFAULTS), null))
			.build();
		String answer = client.post().uri(URI.create("http://app.example/java/report?id=3"))
			.bodyValue("form")
			.retrieve().bodyToMono(String.class).block(TIMEOUT);
		Map<String, Object> echo = JSON.readValue(answer, Map.class);
		assertThat(echo).containsEntry("method", "POST").containsEntry("requestUri", "/java/report")
			.containsEntry("query", "id=3").containsEntry("serverName", "app.example").containsEntry("bodyLength", 4);
	}

	@Test
	void theConnectionCarriesTheNextRequestWhenEndResponseSaysReuse() {
		Ajp13Backend backend = backend(tomcat, Ajp13Settings.DEFAULTS);
		for (int i = 0; i < 3; i++) {
			assertThat(send(backend, request(HttpMethod.GET, "/java/" + i, new HttpHeaders(), new byte[0], false))
				.status()).isEqualTo(200);
		}
		assertThat(backend.metrics().allocatedSize()).as("connections opened and kept").isEqualTo(1);
		assertThat(backend.metrics().idleSize()).isEqualTo(1);
	}

	@Test
	void theRightSecretIsAccepted() {
		Answer answer = send(backend(guarded, new Ajp13Settings("s3cret", 8192)),
				request(HttpMethod.GET, "/java/x", new HttpHeaders(), new byte[0], false));
		assertThat(answer.status()).isEqualTo(200);
		assertThat(this.backend.metrics().idleSize()).isEqualTo(1);
	}

	@Test
	void aWrongOrMissingSecretIsRefusedWith403AndTheConnectionIsNotKept() {
		for (Ajp13Settings settings : new Ajp13Settings[] { new Ajp13Settings("wrong", 8192), Ajp13Settings.DEFAULTS }) {
			Ajp13Backend backend = backend(guarded, settings);
			Answer answer = send(backend, request(HttpMethod.GET, "/java/x", new HttpHeaders(), new byte[0], false));
			assertThat(answer.status()).isEqualTo(403);
			// Tomcat ends the refusal with reuse 0 and closes: the pool keeps nothing.
			assertThat(backend.metrics().allocatedSize()).isZero();
			backend.dispose().block(TIMEOUT);
			this.backend = null;
		}
	}

	@Test
	void aHeadLargerThanOnePacketIsRefusedWithoutAConnection() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-Large", "x".repeat(9000));
		Ajp13Backend backend = backend(tomcat, Ajp13Settings.DEFAULTS);
		assertThatExceptionOfType(Ajp13RequestTooLargeException.class)
			.isThrownBy(() -> send(backend, request(HttpMethod.GET, "/java/x", headers, new byte[0], false)))
			.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(431));
		assertThat(backend.metrics().allocatedSize()).isZero();
		// With a larger packet size on both sides it would pass; here Tomcat's is the default, so only ours grows.
		headers.set("X-Large", "x".repeat(7000));
		assertThat(send(backend, request(HttpMethod.GET, "/java/x", headers, new byte[0], false)).status())
			.isEqualTo(200);
	}

	@Test
	void aClosedPortIsNotTaken() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		this.backend = new Ajp13Backend("closed", new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
				BackendOptions.DEFAULTS, Ajp13Settings.DEFAULTS);
		assertThatExceptionOfType(BackendException.class)
			.isThrownBy(() -> send(this.backend, request(HttpMethod.GET, "/x", new HttpHeaders(), new byte[0], false)))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(BackendException.Kind.NOT_TAKEN));
	}

	@Test
	void theProbeIsAnsweredByTomcatButNotByASilentListener() throws IOException {
		new Ajp13Probe(tomcat.address(), Duration.ofSeconds(2)).check().block(TIMEOUT);
		try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			// It accepts (a connect probe would pass) but never answers the CPING.
			Mono<Void> check = new Ajp13Probe(new InetSocketAddress(InetAddress.getLoopbackAddress(),
					silent.getLocalPort()), Duration.ofSeconds(2)).check();
			assertThatExceptionOfType(RuntimeException.class)
				.isThrownBy(() -> check.timeout(Duration.ofMillis(500)).block(TIMEOUT));
		}
	}

	private Ajp13Backend backend(TomcatAjp peer, Ajp13Settings settings) {
		if (this.backend != null) {
			this.backend.dispose().block(TIMEOUT);
		}
		this.backend = new Ajp13Backend(peer.backendAddress(), peer.address(), BackendOptions.DEFAULTS, settings);
		return this.backend;
	}

	static GatewayRequest request(HttpMethod method, String target, HttpHeaders headers, byte[] body,
			boolean secure) {
		int query = target.indexOf('?');
		String path = (query >= 0) ? target.substring(0, query) : target;
		return new GatewayRequest(method, target, headers, new InetSocketAddress("192.0.2.7", 4711),
				new InetSocketAddress("127.0.0.1", 8080), secure ? "https" : "http", "app.example:8443", "HTTP/1.1",
				path, SpooledBody.of(body), null);
	}

	static Answer send(Ajp13Backend backend, GatewayRequest request) {
		return backend.exchange(request, (name, text) -> {
		}).flatMap(Ajp13BackendTests::read).block(TIMEOUT);
	}

	private static Mono<Answer> read(GatewayResponse response) {
		return DataBufferUtils.join(response.body()).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		}).defaultIfEmpty(new byte[0]).map((bytes) -> new Answer(response.status().value(), response.headers(), bytes));
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	record Answer(int status, HttpHeaders headers, byte[] body) {
	}

}
