package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The sample app serves its bundled demo site and its own controller.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		try {
			Path site = DemoSite.extract();
			registry.add("lighttpd.document-root", site::toString);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	int port;

	private WebTestClient client() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).build();
	}

	@Test
	void servesTheDemoSite() {
		client().get().uri("/").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("text/html;charset=UTF-8")
			.expectHeader().exists(HttpHeaders.ETAG)
			.expectBody(String.class).value((body) -> org.assertj.core.api.Assertions.assertThat(body)
				.contains("<title>lighttpd-spring-boot demo</title>"));
		client().get().uri("/hello.txt").header(HttpHeaders.RANGE, "bytes=0-4").exchange()
			.expectStatus().isEqualTo(206)
			.expectBody(String.class).isEqualTo("Hello");
		client().get().uri("/docs").exchange().expectStatus().isEqualTo(301)
			.expectHeader().valueEquals(HttpHeaders.LOCATION, "/docs/");
	}

	@Test
	void controllerWinsOverTheDocumentRoot() {
		client().get().uri("/hello").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.message").isNotEmpty();
	}

}
