package dev.lighttpdboot.sendfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SendfileResponses} from a controller and a functional endpoint, on a real server, for file names that need
 * percent-encoding: a {@code %}, spaces, a plus sign, a comma, non-ASCII letters.
 */
@SpringBootTest(classes = { TestApplication.class, SendfileResponsesIntegrationTests.Handlers.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SendfileResponsesIntegrationTests extends RealServerTests {

	private static final String[] NAMES = { "100% done.txt", "a+b, c;d=e.txt", "résumé ü €.txt", "%41%2F.txt" };

	private static final Path files = createFiles();

	@DynamicPropertySource
	static void allowedRoots(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.sendfile.allowed-roots[0]", () -> files.toString());
	}

	@AfterAll
	static void deleteFiles() throws IOException {
		FileSystemUtils.deleteRecursively(files);
	}

	@Test
	void controllerAndFunctionalEndpointSendFilesWhoseNamesNeedEncoding() {
		for (String name : NAMES) {
			for (String endpoint : new String[] { "/typed/entity", "/typed/fn" }) {
				this.client.get()
					.uri((builder) -> builder.path(endpoint).queryParam("name", "{name}").build(name))
					.exchange()
					.expectStatus().isOk()
					.expectHeader().doesNotExist(SendfileResponses.HEADER)
					.expectHeader().valueEquals("X-Extra", "kept")
					.expectBody(String.class).isEqualTo("content of " + name);
			}
		}
	}

	@Test
	void headerValuesAreEncodedOnce() {
		assertThat(SendfileResponses.headerValue(Path.of("/srv/100% done.pdf"))).isEqualTo("/srv/100%25%20done.pdf");
		assertThat(SendfileResponses.headerValue(Path.of("a+b,c.txt"))).isEqualTo("a%2Bb%2Cc.txt");
		assertThat(SendfileResponses.headerValue(Path.of("ü"))).isEqualTo("%C3%BC");
		assertThat(SendfileHeaders.decode(SendfileResponses.headerValue(files.resolve(NAMES[2]))))
			.isEqualTo(files.resolve(NAMES[2]).toString());
	}

	private static Path createFiles() {
		try {
			Path directory = Files.createTempDirectory("sendfile-typed");
			for (String name : NAMES) {
				Files.writeString(directory.resolve(name), "content of " + name, StandardCharsets.UTF_8);
			}
			return directory.toRealPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		@Bean
		RouterFunction<ServerResponse> typedSendfile() {
			return RouterFunctions.route()
				.GET("/typed/fn",
						(request) -> SendfileResponses
							.serverResponseBuilder(files.resolve(request.queryParam("name").orElseThrow()))
							.header("X-Extra", "kept")
							.build())
				.build();
		}

		@Bean
		TypedController typedController() {
			return new TypedController();
		}

	}

	@RestController
	static class TypedController {

		@GetMapping("/typed/entity")
		ResponseEntity<Void> entity(@RequestParam String name) {
			return SendfileResponses.entityBuilder(files.resolve(name)).header("X-Extra", "kept").build();
		}

	}

}
