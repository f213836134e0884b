package dev.lighttpdboot.compression;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the compression integration tests: a real server (declared by each subclass with
 * {@code @SpringBootTest}) whose document root is the {@link CompressionSite}, and a client that does not decode
 * what it receives (the JDK's), so the tests see the encoded bytes.
 */
abstract class CompressionServerTests {

	static final CompressionSite compressionSite = new CompressionSite();

	@LocalServerPort
	int port;

	WebTestClient client;

	@DynamicPropertySource
	static void compressionRoot(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", () -> compressionSite.root.toString());
	}

	@AfterAll
	static void noBufferLeaked() {
		LeakWatch.assertNoLeaks();
	}

	@BeforeEach
	void bindClient() {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		this.client = WebTestClient.bindToServer(new JdkClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build();
	}

	WebTestClient.RequestHeadersSpec<?> get(String rawTarget) {
		return this.client.get().uri(URI.create("http://127.0.0.1:" + this.port + rawTarget));
	}

	EntityExchangeResult<byte[]> fetch(String path, String acceptEncoding) {
		WebTestClient.RequestHeadersSpec<?> request = get(path);
		if (acceptEncoding != null) {
			request = request.header(HttpHeaders.ACCEPT_ENCODING, acceptEncoding);
		}
		return request.exchange().expectStatus().isOk().expectBody().returnResult();
	}

	RawHttp raw() {
		return new RawHttp(this.port);
	}

}
