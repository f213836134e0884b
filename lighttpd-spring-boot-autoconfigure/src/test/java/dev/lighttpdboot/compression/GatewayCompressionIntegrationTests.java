package dev.lighttpdboot.compression;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Responses of a gateway route (php-fpm, a real peer) compressed while they stream, by content type.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.compression.enabled=true", "lighttpd.compression.dynamic.enabled=true" })
class GatewayCompressionIntegrationTests extends CompressionServerTests {

	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2).maxRequests(50);

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "php");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> phpFpm.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[0].backends[0].address",
				() -> "127.0.0.1:" + phpFpm.address().getPort());
	}

	@BeforeAll
	static void writeScripts() throws IOException {
		// Three flushed parts, as a page that streams its head first.
		Files.writeString(phpFpm.documentRoot().resolve("page.php"), """
				<?php
				header('Content-Type: text/html; charset=utf-8');
				header('ETag: "page-1"');
				for ($i = 0; $i < 3; $i++) { echo str_repeat("<p>part $i</p>\\n", 400); flush(); }
				""");
		Files.writeString(phpFpm.documentRoot().resolve("image.php"), """
				<?php
				header('Content-Type: image/png');
				echo str_repeat('x', 5000);
				""");
	}

	static String expectedPage() {
		StringBuilder page = new StringBuilder();
		for (int i = 0; i < 3; i++) {
			page.append(("<p>part " + i + "</p>\n").repeat(400));
		}
		return page.toString();
	}

	@Test
	void backendResponsesAreCompressedByType() throws Exception {
		EntityExchangeResult<byte[]> page = fetch("/page.php", "gzip;q=0.5, zstd");
		HttpHeaders headers = page.getResponseHeaders();
		assertThat(headers.getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("zstd");
		assertThat(headers.getFirst(HttpHeaders.VARY)).isEqualTo("Accept-Encoding");
		assertThat(headers.getETag()).isEqualTo("\"page-1-zstd\"");
		assertThat(headers.getContentLength()).isEqualTo(-1);
		assertThat(new String(CompressionSite.decode("zstd", page.getResponseBody()), StandardCharsets.UTF_8))
			.isEqualTo(expectedPage());

		EntityExchangeResult<byte[]> plain = fetch("/page.php", null);
		assertThat(plain.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(plain.getResponseHeaders().getFirst(HttpHeaders.VARY)).isEqualTo("Accept-Encoding");
		assertThat(new String(plain.getResponseBody(), StandardCharsets.UTF_8)).isEqualTo(expectedPage());

		EntityExchangeResult<byte[]> image = fetch("/image.php", "gzip");
		assertThat(image.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(image.getResponseBody()).hasSize(5000);
	}

}
