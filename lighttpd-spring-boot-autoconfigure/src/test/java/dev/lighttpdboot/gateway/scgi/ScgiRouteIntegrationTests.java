package dev.lighttpdboot.gateway.scgi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend.State;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.Echo;
import dev.lighttpdboot.test.peers.Uwsgi;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route configured by properties alone ({@code protocol=scgi}, {@code path-prefix=/py/}) to uwsgi processes it
 * spawns on Unix-domain sockets (Debian packages {@code uwsgi}, {@code uwsgi-plugin-python3}): the WSGI
 * application answers through the same pool, balancing, X-Sendfile and body handling as FastCGI routes.
 */
@DirtiesContext
class ScgiRouteIntegrationTests extends RealServerTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path ROOT = directory();

	@Autowired
	private GatewayPools pools;

	@Autowired
	private MeterRegistry meters;

	@AfterAll
	static void deleteDirectory() throws IOException {
		FileSystemUtils.deleteRecursively(ROOT);
	}

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) throws IOException {
		List<String> command = Uwsgi.scgiSpawnCommand(ROOT);
		registry.add("lighttpd.gateway.routes[0].name", () -> "py");
		registry.add("lighttpd.gateway.routes[0].protocol", () -> "scgi");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/py/");
		registry.add("lighttpd.gateway.routes[0].document-root", ROOT::toString);
		registry.add("lighttpd.gateway.routes[0].check-local", () -> "false");
		registry.add("lighttpd.gateway.routes[0].allow-x-sendfile", () -> "true");
		registry.add("lighttpd.gateway.routes[0].balance", () -> "round-robin");
		registry.add("lighttpd.gateway.routes[0].spawn.command", () -> String.join(",", command));
		registry.add("lighttpd.gateway.routes[0].spawn.processes", () -> "2");
		registry.add("lighttpd.sendfile.allowed-roots", ROOT::toString);
	}

	@Test
	@SuppressWarnings("unchecked")
	void theWsgiApplicationAnswersThroughBothSpawnedProcesses() throws Exception {
		GatewayPool pool = this.pools.get("py");
		Awaitility.await("the spawned processes listen").atMost(Duration.ofSeconds(20))
			.until(() -> pool.backends().stream().allMatch((backend) -> backend.state() == State.ACTIVE));
		long[] before = pool.backends().stream().mapToLong((backend) -> backend.requests()).toArray();
		byte[] body = "a=1&b=2".getBytes();
		for (int i = 0; i < 4; i++) {
			String answer = this.client.post().uri("/py/echo/more?x=" + i)
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.bodyValue(body)
				.exchange()
				.expectStatus().isOk()
				.expectBody(String.class).returnResult().getResponseBody();
			Map<String, Object> echo = JSON.readValue(answer, Map.class);
			assertThat(echo).containsEntry("method", "POST").containsEntry("query", "x=" + i)
				.containsEntry("bodyLength", body.length);
			assertThat((Map<String, Object>) echo.get("cgi")).containsEntry("SCRIPT_NAME", "/py/echo")
				.containsEntry("PATH_INFO", "/more")
				.containsEntry("CONTENT_LENGTH", Integer.toString(body.length));
		}
		assertThat(pool.backends()).hasSize(2).allSatisfy((backend) -> {
			assertThat(backend.name()).startsWith("unix:");
			assertThat(backend.requests() - before[backend.position()]).as("requests to " + backend.name()).isEqualTo(2);
		});
		// The pool's meters say which protocol it speaks, as a FastCGI pool's say fastcgi.
		assertThat(pool.protocol()).isEqualTo("scgi");
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.meters
			.get("lighttpd.gateway.requests").tag("pool", "py").tag("protocol", "scgi").tag("outcome", "ok").timers()
			.stream().mapToLong(Timer::count).sum()).isGreaterThanOrEqualTo(4));
	}

	@Test
	void aStreamedAnswerArrivesWhole() {
		byte[] streamed = this.client.get().uri("/py/echo?stream=300000").exchange()
			.expectStatus().isOk()
			.expectBody(byte[].class).returnResult().getResponseBody();
		assertThat(streamed).isEqualTo(Echo.streamed(300000));
	}

	@Test
	void xSendfileFromTheWsgiApplicationSendsTheFile() throws IOException {
		Path file = ROOT.resolve("report.txt");
		Files.writeString(file, "from the file");
		this.client.get().uri("/py/echo?sendfile=" + file).exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectBody(String.class).isEqualTo("from the file");
	}

	@Test
	void theStatusComesFromTheCgiHead() {
		this.client.get().uri("/py/echo?status=404").exchange().expectStatus().isNotFound();
	}

	private static Path directory() {
		try {
			return Files.createTempDirectory("lighttpd-scgi-route-").toRealPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
