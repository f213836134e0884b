package dev.lighttpdboot.sample;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import dev.lighttpdboot.gateway.GatewayMeterObservationHandler;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

/**
 * The sample app's demos work on its bundled content.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		DemoProperties.register(registry);
		// No php-fpm in this test: a port nothing listens on.
		SampleApplication.phpDefaults("127.0.0.1:" + unusedPort(), null)
			.forEach((name, value) -> registry.add(name, () -> value));
	}

	@LocalServerPort
	int port;

	@MockitoSpyBean
	GatewayMeterObservationHandler gatewayMeters;

	@Autowired
	MeterRegistry meters;

	@LocalManagementPort
	int managementPort;

	private WebTestClient client() {
		return client(this.port);
	}

	private WebTestClient management() {
		return client(this.managementPort);
	}

	private WebTestClient client(int port) {
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1).build();
		return WebTestClient.bindToServer(new JdkClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + port)
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build();
	}

	@Test
	void servesTheDemoSite() {
		client().get().uri("/").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("text/html;charset=UTF-8")
			.expectHeader().exists(HttpHeaders.ETAG)
			.expectBody(String.class).value((body) -> assertThat(body).contains("<title>lighttpd-spring-boot demo</title>"));
		client().get().uri("/hello.txt").header(HttpHeaders.RANGE, "bytes=0-4").exchange()
			.expectStatus().isEqualTo(206)
			.expectBody(String.class).isEqualTo("Hello");
		client().get().uri("/docs").exchange().expectStatus().isEqualTo(301)
			.expectHeader().valueEquals(HttpHeaders.LOCATION, "/docs/")
			.expectBody().returnResult();
	}

	@Test
	void controllerWinsOverTheDocumentRoot() {
		client().get().uri("/hello").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.message").isNotEmpty();
	}

	@Test
	void downloadAfterLoginUsesXSendfile() {
		client().get().uri("/download/report.txt").exchange().expectStatus().isUnauthorized()
			.expectBody().returnResult();
		client().get().uri("/download/report.txt").cookie("demo-session", "logged-in").exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectHeader().valueMatches(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"report.txt\".*")
			.expectBody(String.class).value((body) -> assertThat(body).startsWith("Quarterly report"));
		client().get().uri(URI.create("http://127.0.0.1:" + this.port + "/download/..%2Fwww%2Findex.html")).cookie("demo-session", "logged-in").exchange()
			.expectStatus().isForbidden()
			.expectBody().returnResult();
	}

	@Test
	void signedLinksPageLinksToProtectedFiles() {
		String page = client().get().uri("/links").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		Matcher link = Pattern.compile("href=\"(/dl/[^\"]+/notes\\.txt)\"").matcher(page);
		assertThat(link.find()).isTrue();
		client().get().uri(URI.create("http://127.0.0.1:" + this.port + link.group(1))).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).contains("signed, expiring link"));
		client().get().uri("/dl/0000000000000000000000000000000000000000000/6a3e1f00/notes.txt").exchange()
			.expectStatus().is4xxClientError()
			.expectBody().returnResult();
	}

	@Test
	void phpWithoutPhpFpmIs503() {
		client().get().uri("/hello.php").exchange().expectStatus().isEqualTo(503)
			.expectHeader().valueEquals("Retry-After", "1")
			.expectBody().returnResult();
	}

	@Test
	void backendCallsAreTimedByTheGatewaysOwnMeterHandlerAheadOfBoots() {
		client().get().uri("/hello.php").exchange().expectStatus().isEqualTo(503).expectBody().returnResult();
		// Boot's handler, which takes every observation, would have been asked first.
		verify(this.gatewayMeters, timeout(5000).atLeastOnce()).onStop(any());
		assertThat(this.meters.get("lighttpd.gateway.requests").tag("pool", "php").timers()).isNotEmpty();
	}

	@Test
	void actuatorShowsThePhpPoolAndItsHealth() {
		client().get().uri("/hello.php").exchange().expectStatus().isEqualTo(503).expectBody().returnResult();
		management().get().uri("/actuator/lighttpd").exchange().expectStatus().isOk()
			.expectBody()
			.jsonPath("$.pools.php.serving").isEqualTo(false)
			.jsonPath("$.pools.php.backends[0].id").isEqualTo("php-0")
			.jsonPath("$.pools.php.backends[0].disables").isEqualTo(1);
		// DOWN for as long as nothing listens: the background checks find out without traffic, and a backend due
		// for its probe does not count until the probe succeeds.
		management().get().uri("/actuator/health/lighttpd/php").exchange()
			.expectBody().jsonPath("$.status").isEqualTo("DOWN")
			.jsonPath("$.details.degraded").isEqualTo(true)
			.jsonPath("$.details.active").isEqualTo(0)
			// Named as in metrics and the lighttpd endpoint, the address beside.
			.jsonPath("$.details.backends['php-0'].state").isEqualTo("disabled")
			.jsonPath("$.details.backends['php-0'].address")
			.value((address) -> assertThat(address).asString().startsWith("127.0.0.1:"));
	}

	@Test
	void theContentIsNotOnTheManagementPort() {
		// The management child context sees the application's handler mappings and filters; they serve nothing there.
		management().get().uri("/index.html").exchange().expectStatus().isNotFound().expectBody().returnResult();
		management().get().uri("/").exchange().expectStatus().isNotFound().expectBody().returnResult();
		management().get().uri("/hello.php").exchange().expectStatus().isNotFound().expectBody().returnResult();
		management().get().uri("/actuator/health/ping").exchange().expectStatus().isOk().expectBody().returnResult();
		client().get().uri("/index.html").exchange().expectStatus().isOk().expectBody().returnResult();
	}

	@Test
	void theActuatorIsNotOnThePublicPort() {
		// It lists upload ids, socket paths and backend errors: for the operator, not for the visitor.
		client().get().uri("/actuator/lighttpd").exchange().expectStatus().isNotFound().expectBody().returnResult();
		client().get().uri("/actuator/health").exchange().expectStatus().isNotFound().expectBody().returnResult();
		management().get().uri("/actuator/lighttpd").exchange().expectStatus().isOk().expectBody().returnResult();
	}

	private static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void theDemoVideoSeeks() {
		long size = client().get().uri("/video/demo.flv").exchange().expectStatus().isOk()
			.expectBody().returnResult().getResponseHeaders().getContentLength();
		client().get().uri("/video/demo.flv?start=13").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("video/x-flv")
			.expectHeader().contentLength(size)
			.expectBody().returnResult();
	}


	@Test
	void servesTheDemoBundleCompressed() throws Exception {
		EntityExchangeResult<byte[]> plain = client().get()
			.uri(URI.create("http://127.0.0.1:" + this.port + "/js/??greeting.js,clock.js?v=1")).exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("text/javascript;charset=UTF-8")
			.expectBody().returnResult();
		assertThat(new String(plain.getResponseBody(), StandardCharsets.UTF_8))
			.contains("greeting.js").contains("clock.js ran at");
		EntityExchangeResult<byte[]> brotli = client().get()
			.uri(URI.create("http://127.0.0.1:" + this.port + "/js/??greeting.js,clock.js?v=1"))
			.header(HttpHeaders.ACCEPT_ENCODING, "br").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(HttpHeaders.CONTENT_ENCODING, "br")
			.expectHeader().valueEquals(HttpHeaders.VARY, "Accept-Encoding")
			.expectBody().returnResult();
		try (InputStream decoded = new BrotliInputStream(
				new ByteArrayInputStream(brotli.getResponseBody()))) {
			assertThat(decoded.readAllBytes()).isEqualTo(plain.getResponseBody());
		}
	}

}
