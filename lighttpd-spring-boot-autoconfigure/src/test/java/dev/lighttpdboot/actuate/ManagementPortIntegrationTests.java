package dev.lighttpdboot.actuate;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the actuator on a port of its own ({@code management.server.port}), that port serves the actuator only:
 * none of the application's content (document root, gateway routes, signed links, upload progress) through the
 * management child context, which WebFlux lets see the handler mappings and filters of its parent.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "lighttpd.secdownload.enabled=true",
				"lighttpd.secdownload.secret=management-port-test",
				// No Redis in this test: its health indicator (Spring Data Redis is on the class path) would be DOWN.
				"management.health.redis.enabled=false" })
class ManagementPortIntegrationTests {

	private static final TestSite site = TestSite.shared();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	SecureLinks links;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", () -> site.root().toString());
		registry.add("lighttpd.secdownload.document-root", () -> site.root().toString());
		// A list binds from one property source: the whole route here.
		registry.add("lighttpd.gateway.routes[0].name", () -> "php");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].check-local", () -> "false");
		registry.add("lighttpd.gateway.routes[0].health-check.enabled", () -> "false");
		// Its backend is down once a request found out: the overall status stays UP without it.
		registry.add("lighttpd.gateway.routes[0].health-check.affects-overall-status", () -> "false");
		// Nothing listens there: the route answers 503 where it applies.
		registry.add("lighttpd.gateway.routes[0].backends[0].address", () -> "127.0.0.1:" + unusedPort());
	}

	@AfterAll
	static void noBufferLeaked() {
		LeakWatch.assertNoLeaks();
	}

	@Test
	void theApplicationPortServesTheContent() throws Exception {
		assertThat(status(this.port, "/hello.txt")).isEqualTo(200);
		assertThat(status(this.port, "/docs/")).isEqualTo(200);
		assertThat(status(this.port, "/missing.php")).isEqualTo(503);
		assertThat(status(this.port, this.links.link("/hello.txt"))).isEqualTo(200);
		assertThat(status(this.port, "/progress?X-Progress-ID=0123456789abcdef")).isEqualTo(200);
	}

	@Test
	void theManagementPortServesTheActuatorOnly() throws Exception {
		assertThat(status(this.managementPort, "/actuator/health")).isEqualTo(200);
		assertThat(status(this.managementPort, "/hello.txt")).isEqualTo(404);
		assertThat(status(this.managementPort, "/docs/")).isEqualTo(404);
		assertThat(status(this.managementPort, "/docs/index.html")).isEqualTo(404);
		assertThat(status(this.managementPort, "/missing.php")).isEqualTo(404);
		assertThat(status(this.managementPort, this.links.link("/hello.txt"))).isEqualTo(404);
		assertThat(status(this.managementPort, "/progress?X-Progress-ID=0123456789abcdef")).isEqualTo(404);
	}

	@Test
	void aKeptAliveConnectionIsReadOnAfterAnAnswerCompletedOffTheEventLoop() throws Exception {
		// The health check completes its answer on another thread than the connection's event loop, so the next
		// request on the kept-alive connection may arrive before the previous request's operations ended. Reactor
		// Netty 1.3.6 then stopped reading the connection now and then (reactor/reactor-netty#4361): the request
		// after the next one never got an answer.
		for (int i = 0; i < 300; i++) {
			assertThat(status(this.managementPort, "/actuator/health")).isEqualTo(200);
			assertThat(status(this.managementPort, "/hello.txt")).isEqualTo(404);
		}
	}

	private int status(int port, String target) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
