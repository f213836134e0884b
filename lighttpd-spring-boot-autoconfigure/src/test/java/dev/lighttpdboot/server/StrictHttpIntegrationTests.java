package dev.lighttpdboot.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request heads that RFC 9112 refuses get a clear status and a closed connection, and never reach the application:
 * a filter placed before every other one records each request that got through.
 */
@SpringBootTest(classes = { TestApplication.class, StrictHttpIntegrationTests.Recorder.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StrictHttpIntegrationTests extends RealServerTests {

	static final List<String> seen = new CopyOnWriteArrayList<>();

	@BeforeEach
	void forget() {
		seen.clear();
	}

	@Test
	void aTransferEncodingThatIsNotChunkedIsRefusedAndTheBodyIsNeverAnotherRequest() throws IOException {
		// Finding 8: read as an empty body, the smuggled request behind it was answered as a second request.
		RawHttp.Response response = send("POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n"
				+ "GET /smuggled.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
		assertRefused(response, 400);
		assertThat(response.bodyText()).doesNotContain("HTTP/1.1");
		assertThat(seen).isEmpty();
	}

	@Test
	void aTransferCodingBeforeChunkedIsNotImplemented() throws IOException {
		assertRefused(send("POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
				+ "0\r\n\r\n"), 501);
		assertRefused(send("POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n"
				+ "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 501);
		assertThat(seen).isEmpty();
	}

	@Test
	void chunkedAloneStillPasses() throws IOException {
		RawHttp.Response response = send("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: Chunked\r\n"
				+ "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
		assertThat(response.status()).isNotIn(400, 501);
		assertThat(seen).containsExactly("POST /upload");
	}

	@Test
	void transferEncodingWithContentLengthIsRefused() throws IOException {
		// Netty's own decoder (RFC 9112 mode) refuses this one; kept as a regression test.
		assertRefused(send("POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
				+ "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
		assertThat(seen).isEmpty();
	}

	@Test
	void connectAndTraceReachNoHandler() throws IOException {
		// Finding 7: CONNECT went to a backend and its 200 went out without framing.
		assertRefused(send("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n"), 501);
		assertRefused(send("TRACE /hello.txt HTTP/1.1\r\nHost: localhost\r\nCookie: secret\r\n\r\n"), 501);
		assertThat(seen).isEmpty();
	}

	@Test
	void http11WithoutHostIsRefused() throws IOException {
		assertRefused(send("GET /hello.txt HTTP/1.1\r\n\r\n"), 400);
		assertThat(seen).isEmpty();
	}

	@Test
	void http10WithoutHostIsServed() throws IOException {
		RawHttp.Response response = send("GET /hello.txt HTTP/1.0\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.bodyText()).isEqualTo(site.HELLO);
	}

	@Test
	void severalHostHeadersAreRefused() throws IOException {
		assertRefused(send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"), 400);
		assertRefused(send("GET /hello.txt HTTP/1.0\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"), 400);
		assertThat(seen).isEmpty();
	}

	@Test
	void aHostWithAPathOrSpacesIsRefused() throws IOException {
		assertRefused(send("GET /hello.txt HTTP/1.1\r\nHost: localhost/../x\r\n\r\n"), 400);
		assertRefused(send("GET /hello.txt HTTP/1.1\r\nHost: local host\r\n\r\n"), 400);
		assertThat(seen).isEmpty();
	}

	@Test
	void versionsOtherThanHttp10And11AreRefused() throws IOException {
		assertRefused(send("GET /hello.txt HTTP/9.9\r\nHost: localhost\r\n\r\n"), 505);
		assertRefused(send("GET /hello.txt HTTP/2.0\r\nHost: localhost\r\n\r\n"), 505);
		assertRefused(send("GET /hello.txt http/1.1\r\nHost: localhost\r\n\r\n"), 400);
		assertRefused(send("GET /hello.txt Http/1.0\r\nHost: localhost\r\n\r\n"), 400);
		assertThat(seen).isEmpty();
	}

	@Test
	void malformedHeadsAreStillRefusedByTheDecoder() throws IOException {
		// What held before: the codec's own limits and checks (now answered quietly, with the same statuses).
		assertThat(send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(414);
		assertThat(send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n")
			.status()).isEqualTo(431);
		assertThat(send("GET /hello.txt HTTP/1.1\nHost: localhost\n\n").status()).isEqualTo(400);
		assertThat(send("GET /hello.txt HTTP/1.1\r\nHost : localhost\r\n\r\n").status()).isEqualTo(400);
		assertThat(send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
			.status()).isEqualTo(400);
		assertThat(send("GET /hello.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").status())
			.isEqualTo(400);
		assertThat(seen).isEmpty();
	}

	@Test
	void aValidRequestStillPassesAndKeepsItsConnection() throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
			assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
		}
		assertThat(seen).containsExactly("GET /hello.txt", "GET /hello.txt");
	}

	private RawHttp.Response send(String request) throws IOException {
		return raw().send(request.getBytes(StandardCharsets.ISO_8859_1), true);
	}

	private static void assertRefused(RawHttp.Response response, int status) {
		assertThat(response.status()).isEqualTo(status);
		assertThat(response.header("connection")).isEqualTo("close");
		assertThat(response.header("content-length")).isEqualTo("0");
	}

	@Configuration(proxyBeanMethods = false)
	static class Recorder {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		WebFilter recordingFilter() {
			return (exchange, chain) -> {
				seen.add(exchange.getRequest().getMethod().name() + " " + exchange.getRequest().getPath().value());
				return chain.filter(exchange);
			};
		}

	}

}
