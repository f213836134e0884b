package dev.lighttpdboot.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the integration tests: {@link TestApplication} on a real Reactor Netty server bound to a random port,
 * serving the shared {@link TestSite} as its document root, with a WebTestClient bound to it. Subclasses may
 * declare their own {@code @SpringBootTest} (more classes, more properties) and {@code @DynamicPropertySource}.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class RealServerTests {

	protected static final TestSite site = TestSite.shared();

	@LocalServerPort
	protected int port;

	protected WebTestClient client;

	@DynamicPropertySource
	static void documentRoot(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", () -> site.root().toString());
	}

	@AfterAll
	static void noBufferLeaked() {
		LeakWatch.assertNoLeaks();
	}

	@BeforeEach
	void bindClient() {
		// The JDK's HTTP client, not Reactor Netty's: every Netty buffer in this JVM is then the server's, and a
		// leak that LeakWatch reports is a leak of the code under test.
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		this.client = WebTestClient.bindToServer(new JdkClientHttpConnector(http))
			.baseUrl(base())
			// Generous: a loaded CI machine must not turn a slow answer into a failure; a hang still fails.
			.responseTimeout(Duration.ofSeconds(30))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build();
	}

	protected String base() {
		return "http://127.0.0.1:" + this.port;
	}

	/**
	 * A GET whose target is sent exactly as written: a String would be taken as a URI template and encoded again.
	 */
	protected WebTestClient.RequestHeadersSpec<?> get(String rawTarget) {
		return this.client.get().uri(URI.create(base() + rawTarget));
	}

	/**
	 * Assert the answer of every file-sending feature for the site's 1 MiB binary file: 200, byte-exact, with its
	 * type, length and validators.
	 */
	protected void assertServesBigFile(WebTestClient.RequestHeadersSpec<?> request) {
		EntityExchangeResult<byte[]> result = request.exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("application/octet-stream")
			.expectHeader().contentLength(site.big().length)
			.expectHeader().valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
			.expectHeader().exists(HttpHeaders.ETAG)
			.expectHeader().exists(HttpHeaders.LAST_MODIFIED)
			.expectBody().returnResult();
		Assertions.assertThat(result.getResponseBody()).isEqualTo(site.big());
	}

	protected RawHttp raw() {
		return new RawHttp(this.port);
	}

}
