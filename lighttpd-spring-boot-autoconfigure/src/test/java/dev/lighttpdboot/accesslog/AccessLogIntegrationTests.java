package dev.lighttpdboot.accesslog;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;

import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestSite;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The access log of a real server in front of a real php-fpm: combined lines for static files, the backend and its
 * time for gateway requests, the upload id for uploads, and nothing of one request on the next line of the same
 * keep-alive connection.
 */
@ExtendWith(OutputCaptureExtension.class)
class AccessLogIntegrationTests extends RealServerTests {

	private static final String TIME = "\\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\]";

	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2);

	@DynamicPropertySource
	static void accessLog(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.access-log.enabled", () -> "true");
		registry.add("lighttpd.gateway.routes[0].name", () -> "php");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> phpFpm.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[0].backends[0].address",
				() -> "127.0.0.1:" + phpFpm.address().getPort());
	}

	@BeforeAll
	static void writeScripts() throws IOException {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
		// A framed answer, so that a raw client can read it and send the next request on the same connection.
		Files.writeString(phpFpm.documentRoot().resolve("framed.php"),
				"<?php header('Content-Length: 2'); echo 'ok';\n");
	}

	@Test
	void staticFileIsOneCombinedLine(CapturedOutput output) {
		get("/hello.txt?from=static").header(HttpHeaders.REFERER, "http://example.test/page")
			.header(HttpHeaders.USER_AGENT, "agent \"quoted\"")
			.exchange()
			.expectStatus().isOk();
		Pattern line = Pattern.compile("127\\.0\\.0\\.1 - - " + TIME + " \"GET /hello\\.txt\\?from=static HTTP/1\\.1\" "
				+ "200 " + TestSite.HELLO.length() + " \"http://example\\.test/page\" \"agent \\\\\"quoted\\\\\"\"$",
				Pattern.MULTILINE);
		await().atMost(Duration.ofSeconds(10)).until(() -> line.matcher(output.getOut()).find());
	}

	@Test
	void gatewayLineNamesBackendAndTimeAndTheNextRequestDoesNot(CapturedOutput output) throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			assertThat(connection.exchange("GET", "/framed.php?name=log", "").status()).isEqualTo(200);
			// The same keep-alive connection: this line must not inherit the previous request's backend.
			assertThat(connection.exchange("GET", "/hello.txt?after=php", "").status()).isEqualTo(200);
		}
		Pattern php = Pattern.compile(
				"\"GET /framed\\.php\\?name=log HTTP/1\\.1\" 200 \\d+ \"-\" \"-\" backend=\\S+ backend_time=\\d+\\.\\d{3}$",
				Pattern.MULTILINE);
		Pattern after = Pattern.compile("\"GET /hello\\.txt\\?after=php HTTP/1\\.1\" 200 \\d+ \"-\" \"-\"$",
				Pattern.MULTILINE);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> php.matcher(output.getOut()).find() && after.matcher(output.getOut()).find());
	}

	@Test
	void uploadLineCarriesItsProgressId(CapturedOutput output) {
		this.client.post().uri(base() + "/hello.php?X-Progress-ID=log-upload-1")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(new byte[64 * 1024])
			.exchange()
			.expectStatus().isOk();
		Pattern line = Pattern.compile("\"POST /hello\\.php\\?X-Progress-ID=log-upload-1 HTTP/1\\.1\" 200 \\d+ .* "
				+ "backend=\\S+ backend_time=\\d+\\.\\d{3} upload=log-upload-1$", Pattern.MULTILINE);
		await().atMost(Duration.ofSeconds(10)).until(() -> line.matcher(output.getOut()).find());
	}

}
