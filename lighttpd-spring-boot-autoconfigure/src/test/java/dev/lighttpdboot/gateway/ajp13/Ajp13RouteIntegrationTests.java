package dev.lighttpdboot.gateway.ajp13;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.gateway.PoolBackend.State;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.Echo;
import dev.lighttpdboot.test.peers.TomcatAjp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route configured by properties alone ({@code protocol=ajp13}, {@code path-prefix=/java/}, no document root) to
 * two Tomcat AJP connectors: the servlet answers through the same pool, balancing, fail-over, probes and
 * X-Sendfile as FastCGI routes, and a disabled Tomcat is brought back by a CPING, not by a mere connect.
 */
@DirtiesContext
class Ajp13RouteIntegrationTests extends RealServerTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path FILES = directory();

	@RegisterExtension
	static final TomcatAjp first = TomcatAjp.onFreePort();

	@RegisterExtension
	static final TomcatAjp second = TomcatAjp.onFreePort();

	@Autowired
	private GatewayPools pools;

	@AfterAll
	static void deleteDirectory() throws IOException {
		FileSystemUtils.deleteRecursively(FILES);
	}

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "java");
		registry.add("lighttpd.gateway.routes[0].protocol", () -> "ajp13");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/java/");
		registry.add("lighttpd.gateway.routes[0].allow-x-sendfile", () -> "true");
		registry.add("lighttpd.gateway.routes[0].balance", () -> "round-robin");
		registry.add("lighttpd.gateway.routes[0].disable-time", () -> "500ms");
		registry.add("lighttpd.gateway.routes[0].health-check.interval", () -> "500ms");
		registry.add("lighttpd.gateway.routes[0].backends[0].address", first::backendAddress);
		registry.add("lighttpd.gateway.routes[0].backends[1].address", second::backendAddress);
		registry.add("lighttpd.sendfile.allowed-roots", FILES::toString);
	}

	@Test
	@SuppressWarnings("unchecked")
	void theServletAnswersThroughBothBackends() throws Exception {
		GatewayPool pool = this.pools.get("java");
		awaitActive(pool);
		long[] before = pool.backends().stream().mapToLong(PoolBackend::requests).toArray();
		for (int i = 0; i < 4; i++) {
			String answer = this.client.post().uri(java.net.URI.create(base() + "/java/echo/more%20x?x=" + i))
				.header("X-Trace", "t" + i)
				.bodyValue("payload")
				.exchange()
				.expectStatus().isOk()
				.expectBody(String.class).returnResult().getResponseBody();
			Map<String, Object> echo = JSON.readValue(answer, Map.class);
			assertThat(echo).containsEntry("method", "POST").containsEntry("requestUri", "/java/echo/more%20x")
				.containsEntry("query", "x=" + i).containsEntry("remoteAddr", "127.0.0.1")
				.containsEntry("serverPort", this.port).containsEntry("secure", false).containsEntry("bodyLength", 7);
			assertThat((Map<String, Object>) echo.get("headers")).containsEntry("x-trace", "t" + i);
		}
		assertThat(pool.backends()).allSatisfy((backend) -> assertThat(backend.requests() - before[backend.position()])
			.as("requests to " + backend.name()).isEqualTo(2));
	}

	@Test
	void aStreamedAnswerArrivesWhole() {
		byte[] streamed = this.client.get().uri("/java/echo?stream=300000").exchange()
			.expectStatus().isOk()
			.expectBody(byte[].class).returnResult().getResponseBody();
		assertThat(streamed).isEqualTo(Echo.streamed(300000));
	}

	@Test
	void xSendfileFromTheServletSendsTheFile() throws IOException {
		Path file = FILES.resolve("report.txt");
		Files.writeString(file, "from the file");
		this.client.get().uri("/java/echo?sendfile=" + file).exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectBody(String.class).isEqualTo("from the file");
	}

	@Test
	void aStoppedTomcatIsFailedOverAndBroughtBackByACping() throws IOException {
		GatewayPool pool = this.pools.get("java");
		awaitActive(pool);
		PoolBackend stopped = pool.backends().get(1);
		second.stop();
		try {
			for (int i = 0; i < 4; i++) {
				this.client.get().uri("/java/echo?i=" + i).exchange().expectStatus().isOk();
			}
			Awaitility.await("the stopped Tomcat is disabled").atMost(Duration.ofSeconds(10))
				.until(() -> stopped.state() != State.ACTIVE);
			// Something that accepts connections but speaks no AJP13: a connect probe would take it for Tomcat.
			try (ServerSocket silent = new ServerSocket(second.address().getPort(), 50,
					InetAddress.getLoopbackAddress())) {
				Awaitility.await("a listener that answers no CPING stays out").during(Duration.ofSeconds(2))
					.atMost(Duration.ofSeconds(5))
					.until(() -> stopped.state() != State.ACTIVE);
			}
		}
		finally {
			second.start();
		}
		Awaitility.await("the CPING brings Tomcat back").atMost(Duration.ofSeconds(10))
			.until(() -> stopped.state() == State.ACTIVE);
	}

	private static void awaitActive(GatewayPool pool) {
		Awaitility.await("both Tomcats take requests").atMost(Duration.ofSeconds(10))
			.until(() -> pool.backends().stream().allMatch((backend) -> backend.state() == State.ACTIVE));
	}

	private static Path directory() {
		try {
			return Files.createTempDirectory("lighttpd-ajp13-route-").toRealPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
