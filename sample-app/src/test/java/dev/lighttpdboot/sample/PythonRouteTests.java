package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import dev.lighttpdboot.test.peers.Peers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's {@code /py/} route: a WSGI application in uwsgi processes the server spawns, over SCGI
 * (Debian packages {@code uwsgi}, {@code uwsgi-plugin-python3}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class PythonRouteTests {

	private static final Path UWSGI = Path.of("/usr/bin/uwsgi");

	@BeforeAll
	static void requireUwsgi() {
		Peers.require("uwsgi", UWSGI);
		Peers.require("uwsgi-plugin-python3", SampleApplication.PYTHON_PLUGIN);
	}

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		if (!java.nio.file.Files.isExecutable(UWSGI)) {
			return;
		}
		try {
			DemoSite site = DemoSite.extract();
			SampleApplication.demoDefaults(site).forEach((name, value) -> registry.add(name, () -> value));
			// The php route comes first, as in main; no PHP is asked in this test.
			SampleApplication.phpDefaults("127.0.0.1:9", null).forEach((name, value) -> registry.add(name, () -> value));
			SampleApplication.pythonDefaults(UWSGI, site).forEach((name, value) -> registry.add(name, () -> value));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	int port;

	private WebTestClient client() {
		java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
			.version(java.net.http.HttpClient.Version.HTTP_1_1).build();
		return WebTestClient.bindToServer(new JdkClientHttpConnector(http)).baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	@Test
	void pythonAnswersOverScgi() {
		String page = client().get().uri("/py/?name=x").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(page).contains("Hello from Python over SCGI").contains("<th>SCGI</th><td>1</td>");
	}

	@Test
	void theApplicationSendsTheProtectedReportThroughXSendfile() {
		client().get().uri("/py/report").exchange().expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectBody(String.class).value((body) -> assertThat(body).startsWith("Quarterly report"));
	}

}
