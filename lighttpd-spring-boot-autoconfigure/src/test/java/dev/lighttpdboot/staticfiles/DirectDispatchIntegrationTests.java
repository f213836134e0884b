package dev.lighttpdboot.staticfiles;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a file answered ahead of the application ({@code lighttpd.files.dispatch=direct}) keeps from the ordinary
 * path besides the HTTP semantics (which the {@code *DirectDispatch*} subclasses of the behaviour tests check): the
 * access-log line and the {@code http.server.requests} observation, for the file and for a request the document
 * root does not answer.
 */
class DirectDispatchIntegrationTests {

	/**
	 * Boot's WebFlux observation configuration needs the Micrometer metrics module, which these tests do not have;
	 * without it the adapter observes with Spring's default convention.
	 */
	private static final String NO_BOOT_OBSERVATION_CONFIGURATION = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.webflux.autoconfigure.WebFluxObservationAutoConfiguration";

	private static final String TIME = "\\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\]";

	@TestConfiguration(proxyBeanMethods = false)
	static class Observed {

		@Bean
		TestObservationRegistry observationRegistry() {
			return TestObservationRegistry.create();
		}

	}

	abstract static class Observations extends RealServerTests {

		@Autowired
		TestObservationRegistry observations;

		void assertObserved(String path, String status) {
			this.observations.clear();
			get(path).exchange().expectBody().returnResult();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> TestObservationRegistryAssert
				.assertThat(this.observations)
				.hasObservationWithNameEqualTo("http.server.requests")
				.that()
				.hasBeenStarted()
				.hasBeenStopped()
				.hasLowCardinalityKeyValue("status", status)
				.hasLowCardinalityKeyValue("method", "GET"));
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = NO_BOOT_OBSERVATION_CONFIGURATION)
	class ObservedByDefault extends Observations {

		@Test
		void fileAndMissingFileAreObserved() {
			assertObserved("/hello.txt", "200");
			assertObserved("/nowhere.txt", "404");
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { StaticFilesIntegrationTests.DIRECT, NO_BOOT_OBSERVATION_CONFIGURATION })
	class ObservedWhenDirect extends Observations {

		@Test
		void fileAndMissingFileAreObserved() {
			assertObserved("/hello.txt", "200");
			assertObserved("/nowhere.txt", "404");
		}

		@Test
		void conditionalAnswerIsObservedWithItsStatus() {
			String etag = get("/hello.txt").exchange().returnResult(byte[].class).getResponseHeaders().getETag();
			this.observations.clear();
			get("/hello.txt").header("If-None-Match", etag).exchange().expectStatus().isNotModified();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> TestObservationRegistryAssert
				.assertThat(this.observations)
				.hasObservationWithNameEqualTo("http.server.requests")
				.that()
				.hasBeenStopped()
				.hasLowCardinalityKeyValue("status", "304"));
		}

	}

	@Nested
	@ExtendWith(OutputCaptureExtension.class)
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { StaticFilesIntegrationTests.DIRECT, "lighttpd.access-log.enabled=true" })
	class AccessLogWhenDirect extends RealServerTests {

		@Test
		void aFileAnsweredAheadIsOneCombinedLine(CapturedOutput output) {
			get("/hello.txt?from=direct").header("Referer", "http://example.test/page")
				.header("User-Agent", "direct agent")
				.exchange()
				.expectStatus().isOk();
			Pattern line = Pattern.compile("127\\.0\\.0\\.1 - - " + TIME
					+ " \"GET /hello\\.txt\\?from=direct HTTP/1\\.1\" 200 " + TestSite.HELLO.length()
					+ " \"http://example\\.test/page\" \"direct agent\"$", Pattern.MULTILINE);
			await().atMost(Duration.ofSeconds(10)).until(() -> line.matcher(output.getOut()).find());
		}

	}

	/**
	 * A gateway route's paths keep their precedence over the document root when files are served ahead of the
	 * handler mappings: a script of the document root goes to its backend (down here, so 5xx), never out as a file.
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { StaticFilesIntegrationTests.DIRECT, "lighttpd.gateway.routes[0].name=scripts",
					"lighttpd.gateway.routes[0].extensions=.txt",
					"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:1",
					"lighttpd.gateway.routes[1].name=app", "lighttpd.gateway.routes[1].protocol=http",
					"lighttpd.gateway.routes[1].path-prefix=/plain",
					"lighttpd.gateway.routes[1].backends[0].address=127.0.0.1:1" })
	class GatewayPathsWhenDirect extends GatewayPaths {

	}

	abstract static class GatewayPaths extends RealServerTests {

		@Test
		void aScriptOfTheDocumentRootGoesToItsRouteNotOutAsAFile() {
			byte[] body = get("/hello.txt").exchange().expectStatus().is5xxServerError()
				.expectBody().returnResult().getResponseBody();
			assertThat(new String((body != null) ? body : new byte[0], StandardCharsets.UTF_8))
				.doesNotContain(TestSite.HELLO);
		}

		@Test
		void aPathUnderARoutePrefixGoesToItsRoute() {
			get("/plain/a.txt").exchange().expectStatus().is5xxServerError();
		}

		@Test
		void otherFilesAreStillAnsweredAhead() {
			assertServesBigFile(get("/big.bin"));
		}

	}

}
