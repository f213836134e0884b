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
 * The sample app's {@code /rb/} route: a Rack application in puma processes the server spawns on Unix-domain
 * sockets, over HTTP (Debian packages {@code puma}, {@code ruby-rack}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RubyRouteTests {

	private static final Path PUMA = Path.of("/usr/bin/puma");

	@BeforeAll
	static void requirePuma() {
		Peers.require("puma", PUMA);
	}

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		if (!java.nio.file.Files.isExecutable(PUMA)) {
			return;
		}
		try {
			DemoSite site = DemoSite.extract();
			SampleApplication.demoDefaults(site).forEach((name, value) -> registry.add(name, () -> value));
			// The php route comes first, as in main; no PHP is asked in this test.
			SampleApplication.phpDefaults("127.0.0.1:9", null).forEach((name, value) -> registry.add(name, () -> value));
			SampleApplication.rubyDefaults(PUMA, site).forEach((name, value) -> registry.add(name, () -> value));
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
	void rubyAnswersOverHttpWithTheForwardedHeaders() {
		String page = client().get().uri("/rb/?name=x").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(page).contains("Hello from Ruby over HTTP")
			.contains("<th>REQUEST_URI</th><td>&#x2F;rb&#x2F;?name=x</td>")
			.contains("<th>HTTP_X_FORWARDED_FOR</th><td>127.0.0.1</td>")
			.contains("<th>HTTP_FORWARDED</th><td>for=127.0.0.1;host=&quot;127.0.0.1:" + this.port
					+ "&quot;;proto=http</td>");
	}

	@Test
	void theApplicationSendsTheProtectedReportThroughXSendfile() {
		client().get().uri("/rb/report").exchange().expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectBody(String.class).value((body) -> assertThat(body).startsWith("Quarterly report"));
	}

}
