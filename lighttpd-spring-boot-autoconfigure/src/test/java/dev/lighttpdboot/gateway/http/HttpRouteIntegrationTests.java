package dev.lighttpdboot.gateway.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.Echo;
import dev.lighttpdboot.test.peers.Puma;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes configured by properties alone ({@code protocol=http}, {@code path-prefix}, two backend addresses) to two
 * puma processes serving a Rack application (Debian packages {@code puma}, {@code ruby-rack}): what the
 * application sees of the request, the body both ways, X-Sendfile, kept-alive connections and fail-over when one
 * puma dies.
 */
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpRouteIntegrationTests extends RealServerTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path FILES = directory();

	@RegisterExtension
	static final Puma first = Puma.onFreePort();

	@RegisterExtension
	static final Puma second = Puma.onFreePort();

	@Autowired
	private GatewayPools pools;

	@AfterAll
	static void deleteDirectory() throws IOException {
		FileSystemUtils.deleteRecursively(FILES);
	}

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "rb");
		registry.add("lighttpd.gateway.routes[0].protocol", () -> "http");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/rb/");
		registry.add("lighttpd.gateway.routes[0].allow-x-sendfile", () -> "true");
		registry.add("lighttpd.gateway.routes[0].balance", () -> "round-robin");
		registry.add("lighttpd.gateway.routes[0].disable-time", () -> "1h");
		registry.add("lighttpd.gateway.routes[0].health-check.enabled", () -> "false");
		registry.add("lighttpd.gateway.routes[0].backends[0].address", () -> "127.0.0.1:" + first.address().getPort());
		registry.add("lighttpd.gateway.routes[0].backends[1].address", () -> "127.0.0.1:" + second.address().getPort());
		registry.add("lighttpd.gateway.routes[1].name", () -> "rb-host");
		registry.add("lighttpd.gateway.routes[1].protocol", () -> "http");
		registry.add("lighttpd.gateway.routes[1].path-prefix", () -> "/rb-host/");
		registry.add("lighttpd.gateway.routes[1].http.host", () -> "backend.internal:9292");
		registry.add("lighttpd.gateway.routes[1].backends[0].address", () -> "127.0.0.1:" + first.address().getPort());
		registry.add("lighttpd.sendfile.allowed-roots", FILES::toString);
	}

	@Test
	@Order(1)
	void theRackApplicationSeesTheRequestAsTheClientSentIt() {
		Map<String, Object> echo = echo(this.client.get()
			.uri(URI.create(base() + "/rb/a%20b/c;p=1?x=1&y=%2F"))
			.header("X-Custom", "kept")
			.header("Forwarded", "for=192.0.2.60;proto=https")
			.header("X-Forwarded-For", "192.0.2.60")
			.header("X-Forwarded-Proto", "https")
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody());
		assertThat(echo).containsEntry("method", "GET")
			.containsEntry("requestUri", "/rb/a%20b/c;p=1?x=1&y=%2F")
			.containsEntry("query", "x=1&y=%2F")
			.containsEntry("serverProtocol", "HTTP/1.1")
			.containsEntry("bodyLength", 0);
		assertThat(headers(echo)).containsEntry("HTTP_HOST", "127.0.0.1:" + this.port)
			.containsEntry("HTTP_X_CUSTOM", "kept")
			.hasEntrySatisfying("HTTP_USER_AGENT", (agent) -> assertThat((String) agent).startsWith("Java-http-client"))
			.containsEntry("HTTP_X_FORWARDED_FOR", "192.0.2.60, 127.0.0.1")
			.containsEntry("HTTP_X_FORWARDED_PROTO", "http")
			.containsEntry("HTTP_X_FORWARDED_HOST", "127.0.0.1:" + this.port)
			.containsEntry("HTTP_FORWARDED",
					"for=192.0.2.60;proto=https, for=127.0.0.1;host=\"127.0.0.1:" + this.port + "\";proto=http")
			.doesNotContainKey("HTTP_CONTENT_LENGTH");
	}

	@Test
	@Order(1)
	void hopByHopHeadersLeaveNeitherWay() throws IOException {
		// Sent raw: the JDK's client refuses to send Connection, Keep-Alive, TE and Upgrade itself.
		RawHttp.Response response = new RawHttp(this.port).send(("GET /rb/hop?hop=1 HTTP/1.1\r\nHost: localhost\r\n"
				+ "Connection: X-Private, close\r\nX-Private: for this hop only\r\nKeep-Alive: timeout=5\r\n"
				+ "Proxy-Authorization: Basic c2VjcmV0OnNlY3JldA==\r\nProxy-Connection: keep-alive\r\n"
				+ "TE: trailers\r\nTrailer: X-Checksum\r\nX-End-To-End: kept\r\n\r\n")
			.getBytes(StandardCharsets.ISO_8859_1), true);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.header("Keep-Alive")).isNull();
		assertThat(response.header("X-Private-Hop")).isNull();
		assertThat(headers(echo(response.bodyText()))).containsEntry("HTTP_X_END_TO_END", "kept")
			.doesNotContainKeys("HTTP_CONNECTION", "HTTP_X_PRIVATE", "HTTP_KEEP_ALIVE", "HTTP_PROXY_AUTHORIZATION",
					"HTTP_PROXY_CONNECTION", "HTTP_TE", "HTTP_TRAILER");
	}

	@Test
	@Order(1)
	void theRouteMayRewriteTheHost() {
		Map<String, Object> echo = echo(this.client.get().uri("/rb-host/x").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody());
		assertThat(headers(echo)).containsEntry("HTTP_HOST", "backend.internal:9292")
			.containsEntry("HTTP_X_FORWARDED_HOST", "127.0.0.1:" + this.port);
	}

	@Test
	@Order(1)
	void aPostBodyArrivesWholeWithItsLength() {
		byte[] body = Echo.streamed(1_500_000);
		Map<String, Object> echo = echo(this.client.post().uri("/rb/upload")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(body)
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody());
		assertThat(echo).containsEntry("method", "POST")
			.containsEntry("bodyLength", body.length)
			.containsEntry("contentLength", Integer.toString(body.length))
			.containsEntry("bodySha256", sha256(body));
	}

	@Test
	@Order(1)
	void aLargeChunkedAnswerArrivesWhole() {
		byte[] streamed = this.client.get().uri("/rb/big?stream=3000000").exchange()
			.expectStatus().isOk()
			.expectBody(byte[].class).returnResult().getResponseBody();
		assertThat(streamed).isEqualTo(Echo.streamed(3_000_000));
	}

	@Test
	@Order(1)
	void theStatusComesFromTheBackend() {
		this.client.get().uri("/rb/x?status=418").exchange().expectStatus().isEqualTo(418);
	}

	@Test
	@Order(1)
	void xSendfileFromTheRackApplicationSendsTheFile() throws IOException {
		Path file = FILES.resolve("report.txt");
		Files.writeString(file, "from the file");
		this.client.get().uri("/rb/x?sendfile=" + file).exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectBody(String.class).isEqualTo("from the file");
	}

	@Test
	@Order(1)
	void connectionsAreKeptAlive() {
		// One puma sees every request on the same few connections: the ports repeat.
		java.util.Set<Object> ports = new java.util.HashSet<>();
		for (int i = 0; i < 12; i++) {
			Map<String, Object> echo = echo(this.client.get().uri("/rb-host/keep?i=" + i).exchange()
				.expectStatus().isOk()
				.expectBody(String.class).returnResult().getResponseBody());
			ports.add(echo.get("peerPort"));
		}
		assertThat(ports).hasSize(1);
	}

	@Test
	@Order(2)
	void whenOnePumaDiesTheOtherAnswers() {
		GatewayPool pool = this.pools.get("rb");
		for (int i = 0; i < 4; i++) {
			this.client.get().uri("/rb/warm?i=" + i).exchange().expectStatus().isOk();
		}
		first.kill();
		for (int i = 0; i < 6; i++) {
			this.client.get().uri("/rb/after?i=" + i).exchange().expectStatus().isOk();
			this.client.post().uri("/rb/after?i=" + i).bodyValue("x").exchange().expectStatus().isOk();
		}
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> pool.backend(0).state() == PoolBackend.State.DISABLED);
		assertThat(pool.backend(1).state()).isEqualTo(PoolBackend.State.ACTIVE);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> echo(String body) {
		try {
			return JSON.readValue(body, Map.class);
		}
		catch (RuntimeException ex) {
			throw new AssertionError("not an echo: " + body, ex);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> headers(Map<String, Object> echo) {
		return (Map<String, Object>) echo.get("headers");
	}

	private static String sha256(byte[] bytes) {
		try {
			return java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Path directory() {
		try {
			return Files.createTempDirectory("lighttpd-http-route-").toRealPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
