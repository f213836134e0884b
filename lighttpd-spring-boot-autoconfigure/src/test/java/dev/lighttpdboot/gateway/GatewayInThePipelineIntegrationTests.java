package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import dev.lighttpdboot.test.peers.PhpFpm;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lighttpd.gateway.dispatch=netty}: a bodiless GET whose backend answered whole is answered from the
 * connection's pipeline as the ordinary way answers it, header for header, without WebFlux; an answer that needs the
 * ordinary way (X-Sendfile, a backend's failure) is answered there with what the backend answered, the backend
 * called once; an answer kept for a request that a filter answered itself is discarded, not given to the next; and
 * pipelined requests are answered in order; with the access log on, an answer from the pipeline has the ordinary
 * way's line with its backend. Files are answered in the pipeline too ({@code lighttpd.files.dispatch=netty}): one
 * handler then does both. {@link GatewayRouteInThePipelineIntegrationTests} repeats every route test with the
 * gateway alone in the pipeline.
 */
@SpringBootTest(
		classes = { TestApplication.class, GatewayInThePipelineIntegrationTests.Observed.class,
				GatewayInThePipelineIntegrationTests.Refusing.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.gateway.dispatch=netty", "lighttpd.files.dispatch=netty",
				"lighttpd.files.stat-cache-validity=10m",
				"lighttpd.access-log.enabled=true",
				"lighttpd.access-log.format=%h %l %u \"%r\" %>s %b \"%{User-Agent}i\" %{route}x %{backend}x %{backend-time}x",
				"spring.autoconfigure.exclude="
						+ "org.springframework.boot.webflux.autoconfigure.WebFluxObservationAutoConfiguration" })
@ExtendWith(OutputCaptureExtension.class)
class GatewayInThePipelineIntegrationTests extends RealServerTests {

	private static final String SERVER = "http.server.requests";

	private static final String GATEWAY = "lighttpd.gateway.requests";

	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2).maxRequests(100);

	@Autowired
	TestObservationRegistry observations;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		String root = phpFpm.documentRoot().toString();
		registry.add("lighttpd.gateway.routes[0].name", () -> "down");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/down/");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> root);
		registry.add("lighttpd.gateway.routes[0].check-local", () -> "false");
		registry.add("lighttpd.gateway.routes[0].backends[0].address",
				() -> "127.0.0.1:" + GatewayRouteIntegrationTests.unusedPort());
		// Ahead of the .php route: a route without allow-x-sendfile.
		registry.add("lighttpd.gateway.routes[1].name", () -> "plain");
		registry.add("lighttpd.gateway.routes[1].path-prefix", () -> "/plain/");
		registry.add("lighttpd.gateway.routes[1].document-root", () -> root);
		registry.add("lighttpd.gateway.routes[1].backends[0].address",
				() -> "127.0.0.1:" + phpFpm.address().getPort());
		registry.add("lighttpd.gateway.routes[2].name", () -> "php");
		registry.add("lighttpd.gateway.routes[2].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[2].document-root", () -> root);
		registry.add("lighttpd.gateway.routes[2].allow-x-sendfile", () -> "true");
		registry.add("lighttpd.gateway.routes[2].backends[0].address",
				() -> "127.0.0.1:" + phpFpm.address().getPort());
	}

	@BeforeAll
	static void writeScripts() throws IOException {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
		// A short answer, written at once: it reaches this server whole, with its head, in one read.
		String env = """
				<?php
				http_response_code(201);
				header('X-Accel-Buffering: no');
				header('X-Script: env');
				setcookie('c', '3');
				$s = $_SERVER;
				echo $s['REQUEST_URI'], '|', $s['QUERY_STRING'], '|', $s['SCRIPT_NAME'], '|', $s['SERVER_NAME'], ':',
				    $s['SERVER_PORT'], '|', $s['REMOTE_ADDR'], ':', $s['REMOTE_PORT'], '|', $s['HTTPS'] ?? '-', '|',
				    $s['REQUEST_SCHEME'], '|', $s['HTTP_HOST'], '|', $s['HTTP_X_CUSTOM'] ?? '-', '|',
				    $s['SERVER_PROTOCOL'], '|', $s['CONTENT_LENGTH'] ?? '-', "\\n";
				""";

		// One copy per test: the first request of each is the ordinary way's (check-local's lookup).
		for (String name : List.of("env.php", "whole.php")) {
			Files.writeString(phpFpm.documentRoot().resolve(name), env);
		}
		Files.createDirectories(phpFpm.documentRoot().resolve("plain"));
		Files.writeString(phpFpm.documentRoot().resolve("plain/leaky.php"),
				"<?php header('X-Sendfile: /etc/passwd'); header('X-Accel-Redirect: /internal/x');"
						+ " header('X-LIGHTTPD-send-file: /etc/passwd'); header('X-Lighttpd-Other: secret');"
						+ " header('X-Sendfile2: /etc/passwd 0-1'); header('X-Kept: yes'); echo 'body';\n");
	}

	@BeforeEach
	void clear() {
		this.observations.clear();
	}

	@Test
	void aWholeAnswerIsWrittenFromThePipelineAsTheOrdinaryWayWritesIt() throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			// The first request looks the script up (check-local), the ordinary way; the stat cache then knows it.
			RawHttp.Response ordinary = connection.exchange("GET", "/whole.php?a=1&b=%20", "X-Custom: one\r\n");
			assertObservations(1, 1);
			this.observations.clear();
			RawHttp.Response piped = connection.exchange("GET", "/whole.php?a=1&b=%20", "X-Custom: one\r\n");
			assertObservations(0, 1);
			assertThat(piped.status()).isEqualTo(201);
			assertThat(piped.headers()).isEqualTo(ordinary.headers()).doesNotContainKey("x-accel-buffering")
				.containsEntry("x-script", "env");
			assertThat(piped.bodyText()).isEqualTo(ordinary.bodyText()).startsWith("/whole.php?a=1&b=%20|a=1&b=%20|/whole.php|")
				.contains("|one|HTTP/1.1|");
		}
	}

	@Test
	void theSendfileHeadersOfARouteWithoutXSendfileAreLeftOutOfAnAnswerFromThePipeline() throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			RawHttp.Response ordinary = connection.exchange("GET", "/plain/leaky.php", "");
			this.observations.clear();
			RawHttp.Response piped = connection.exchange("GET", "/plain/leaky.php", "");
			assertObservations(0, 1);
			assertThat(piped.status()).isEqualTo(200);
			assertThat(piped.bodyText()).isEqualTo("body");
			assertThat(piped.headers()).isEqualTo(ordinary.headers()).containsEntry("x-kept", "yes");
			assertThat(piped.headers().keySet()).noneMatch((name) -> name.startsWith("x-sendfile")
					|| name.startsWith("x-lighttpd") || name.equals("x-accel-redirect"));
		}
	}

	@Test
	void anAnswerFromThePipelineHasTheLineOfTheOrdinaryWayWithItsBackend(CapturedOutput output) throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			connection.exchange("GET", "/hello.php?log", "User-Agent: ordinary\r\n");
			this.observations.clear();
			connection.exchange("GET", "/hello.php?log", "User-Agent: pipeline\r\n");
			assertObservations(0, 1);
			String ordinary = awaitLine(output, "ordinary");
			String pipeline = awaitLine(output, "pipeline");
			String backend = " php 127.0.0.1:" + phpFpm.address().getPort() + " ";
			assertThat(ordinary).contains(backend);
			// All but the backend's response time, which is the call's own.
			assertThat(withoutLastField(pipeline))
				.isEqualTo(withoutLastField(ordinary).replace("\"ordinary\"", "\"pipeline\""));
			assertThat(pipeline.substring(pipeline.lastIndexOf(' ') + 1)).matches("\\d+(\\.\\d+)?");
		}
	}

	private static String awaitLine(CapturedOutput output, String agent) {
		Pattern line = Pattern.compile("^.*\"GET /hello\\.php\\?log HTTP/1\\.1\" .*\"" + agent + "\".*$", Pattern.MULTILINE);
		AtomicReference<String> found = new AtomicReference<>();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
			Matcher matcher = line.matcher(output.getOut());
			if (!matcher.find()) {
				return false;
			}
			found.set(matcher.group().trim());
			return true;
		});
		// From the client's address on: what precedes it is the logging system's pattern (time, thread).
		String text = found.get();
		return text.substring(text.indexOf("127.0.0.1 "));
	}

	private static String withoutLastField(String line) {
		return line.substring(0, line.lastIndexOf(' '));
	}

	@Test
	void anXSendfileIsSentTheOrdinaryWayWithTheBackendCalledOnce() throws IOException {
		String target = sendfileTarget();
		try (RawHttp.Connection connection = raw().open()) {
			connection.exchange("GET", target, "");
			this.observations.clear();
			RawHttp.Response sent = connection.exchange("GET", target, "");
			assertObservations(1, 1);
			assertThat(sent.status()).isEqualTo(200);
			assertThat(sent.headers()).doesNotContainKey("x-sendfile");
			assertThat(sent.bodyText()).isEqualTo(TestSite.HELLO);
		}
	}

	@Test
	void aBackendThatFailedIsAnsweredWithTheOrdinaryErrorPage() throws IOException {
		RawHttp.Response ordinary = raw().get("/down/x.php");
		try (RawHttp.Connection connection = raw().open()) {
			this.observations.clear();
			RawHttp.Response failed = connection.exchange("GET", "/down/x.php", "");
			assertObservations(1, 1);
			assertThat(failed.status()).isEqualTo(503);
			assertThat(failed.header("retry-after")).isEqualTo("1");
			assertThat(failed.header("content-type")).isEqualTo(ordinary.header("content-type"));
			// Spring Boot's error page, as for the request that went the ordinary way.
			assertThat(ordinary.bodyText()).contains("\"path\":\"/down/x.php\"", "\"status\":503");
			assertThat(failed.bodyText()).contains("\"path\":\"/down/x.php\"", "\"status\":503");
			// The connection goes on.
			assertThat(connection.exchange("GET", "/env.php", "").status()).isEqualTo(201);
		}
	}

	@Test
	void anAnswerKeptForARequestThatAFilterAnsweredIsNotGivenToTheNext() throws IOException {
		String target = sendfileTarget();
		try (RawHttp.Connection connection = raw().open()) {
			connection.exchange("GET", target, "");
			this.observations.clear();
			// The backend's X-Sendfile is kept for the ordinary way, but the filter answers the request itself.
			RawHttp.Response refused = connection.exchange("GET", target, "X-Refuse: yes\r\n");
			assertThat(refused.status()).isEqualTo(403);
			assertObservations(1, 1);
			// A HEAD goes the ordinary way to the same route: it must get its own answer, not the one kept.
			RawHttp.Response next = connection.exchange("HEAD", "/env.php?next", "");
			assertThat(next.status()).isEqualTo(201);
			assertThat(next.header("x-script")).isEqualTo("env");
			assertThat(connection.exchange("GET", "/env.php?next", "").bodyText()).startsWith("/env.php?next|");
		}
	}

	@Test
	void pipelinedRequestsAreAnsweredInOrder() throws IOException {
		String target = sendfileTarget();
		try (RawHttp.Connection connection = raw().open()) {
			connection.exchange("GET", "/env.php", "");
			connection.exchange("GET", target, "");
			StringBuilder requests = new StringBuilder();
			for (String each : List.of("/env.php?1", target, "/env.php?3", "/status.php?code=200", "/env.php?5")) {
				requests.append("GET ").append(each).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
			}
			List<RawHttp.Response> responses = connection
				.pipeline(requests.toString().getBytes(StandardCharsets.ISO_8859_1), 5);
			assertThat(responses.get(0).bodyText()).startsWith("/env.php?1|");
			assertThat(responses.get(1).bodyText()).isEqualTo(TestSite.HELLO);
			assertThat(responses.get(2).bodyText()).startsWith("/env.php?3|");
			assertThat(responses.get(3).bodyText()).isEqualTo("status body");
			assertThat(responses.get(4).bodyText()).startsWith("/env.php?5|");
		}
	}

	/** A script that answers with X-Sendfile of the site's hello.txt: an answer that goes the ordinary way. */
	private static String sendfileTarget() {
		return "/sendfile.php?path="
				+ URLEncoder.encode(TestSite.shared().root().resolve("hello.txt").toString(), StandardCharsets.UTF_8);
	}

	private void assertObservations(int server, int gateway) {
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasNumberOfObservationsWithNameEqualTo(SERVER, server)
			.hasNumberOfObservationsWithNameEqualTo(GATEWAY, gateway);
	}

	/** Observations kept for the tests to read. */
	@Configuration(proxyBeanMethods = false)
	static class Observed {

		@Bean
		TestObservationRegistry observationRegistry() {
			return TestObservationRegistry.create();
		}

	}

	/**
	 * An application filter that answers a request itself: 403 for a request with {@code X-Refuse}.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Refusing {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE + 10)
		WebFilter refusing() {
			return (exchange, chain) -> {
				if (exchange.getRequest().getHeaders().containsHeader("X-Refuse")) {
					exchange.getResponse().setStatusCode(HttpStatus.FORBIDDEN);
					return exchange.getResponse().setComplete();
				}
				return chain.filter(exchange);
			};
		}

	}

}
