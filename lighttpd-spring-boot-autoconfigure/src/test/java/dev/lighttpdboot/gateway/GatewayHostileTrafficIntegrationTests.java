package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.PoolBackend.State;
import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hostile client or a careless script can do through a route to real php-fpm: a script whose body does not
 * match its {@code Content-Length}, a slow script behind a short read timeout, TRACE and CONNECT, and a burst
 * larger than the backend's connections and queue.
 */
@ExtendWith(OutputCaptureExtension.class)
class GatewayHostileTrafficIntegrationTests extends RealServerTests {

	private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);

	/** Two workers: the route to it has one connection, so a second request would find a free worker. */
	@RegisterExtension
	static final PhpFpm once = PhpFpm.onFreePort().children(2);

	/** Four workers, two for each route to it. */
	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(4);

	@Autowired
	GatewayPools pools;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		String php = "127.0.0.1:" + phpFpm.address().getPort();
		// The server-wide refusal of TRACE and CONNECT (501) would answer first: the route's own is tested here.
		registry.add("lighttpd.server.enabled", () -> "false");
		registry.add("lighttpd.gateway.routes[0].name", () -> "once");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/once/");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> once.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[0].read-timeout", () -> READ_TIMEOUT.toMillis() + "ms");
		registry.add("lighttpd.gateway.routes[0].backends[0].address", () -> "127.0.0.1:" + once.address().getPort());
		registry.add("lighttpd.gateway.routes[0].backends[0].max-connections", () -> "1");
		registry.add("lighttpd.gateway.routes[1].name", () -> "burst");
		registry.add("lighttpd.gateway.routes[1].path-prefix", () -> "/burst/");
		registry.add("lighttpd.gateway.routes[1].document-root", () -> phpFpm.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[1].queue-limit", () -> "2");
		registry.add("lighttpd.gateway.routes[1].backends[0].address", () -> php);
		registry.add("lighttpd.gateway.routes[1].backends[0].max-connections", () -> "2");
		registry.add("lighttpd.gateway.routes[2].name", () -> "php");
		registry.add("lighttpd.gateway.routes[2].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[2].document-root", () -> phpFpm.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[2].backends[0].address", () -> php);
		registry.add("lighttpd.gateway.routes[2].backends[0].max-connections", () -> "2");
	}

	@BeforeAll
	static void writeScripts() throws IOException {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
		Path root = phpFpm.documentRoot();
		Files.writeString(root.resolve("length.php"), """
				<?php
				header('Content-Length: 2');
				echo 'ok' . ($_GET['x'] ?? '');
				""");
		Files.writeString(root.resolve("short.php"), """
				<?php
				header('Content-Length: 100000');
				echo str_repeat('a', 5000);
				""");
		Files.createDirectories(root.resolve("burst"));
		// Holds its worker until the test opens the gate (at most 20 s).
		Files.writeString(root.resolve("burst/gate.php"), """
				<?php
				for ($i = 0; $i < 400 && !file_exists(__DIR__ . '/open'); $i++) { usleep(50000); }
				echo 'through';
				""");
		Path onceRoot = Files.createDirectories(once.documentRoot().resolve("once"));
		// Counts its runs in a file of its own directory, then sleeps as long as asked.
		Files.writeString(onceRoot.resolve("count.php"), """
				<?php
				file_put_contents(__DIR__ . '/runs', 'x', FILE_APPEND | LOCK_EX);
				sleep(intval($_GET['s'] ?? 0));
				echo 'done';
				""");
	}

	@Test
	void bytesBeyondTheDeclaredLengthNeverBecomeASecondResponse() throws IOException {
		String forged = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged";
		try (RawHttp.Connection connection = raw().open()) {
			RawHttp.Response first = connection.exchange("GET",
					"/length.php?x=" + URLEncoder.encode(forged, StandardCharsets.UTF_8), "");
			assertThat(first.status()).isEqualTo(200);
			assertThat(first.header("content-length")).isEqualTo("2");
			assertThat(first.bodyText()).isEqualTo("ok");
			// The extra bytes were dropped and the connection closed: nothing can be read as a next response.
			assertThat(connection.isClosedByPeer()).isTrue();
		}
	}

	@Test
	void aBodyShorterThanDeclaredEndsTheClientConnection() throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			// Reads up to the declared 100000 bytes: without the close it would wait (and fail) for the rest.
			RawHttp.Response response = connection.exchange("GET", "/short.php", "");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("content-length")).isEqualTo("100000");
			assertThat(response.body()).hasSize(5000);
			assertThat(connection.isClosedByPeer()).isTrue();
		}
	}

	@Test
	void aRequestThatTimedOutIsNotSentAgain() throws IOException {
		Path runs = once.documentRoot().resolve("once/runs");
		// The route's only connection is now kept alive: the next request reuses it.
		get("/once/count.php").exchange().expectStatus().isOk();
		assertThat(Files.readString(runs)).isEqualTo("x");
		long start = System.nanoTime();
		get("/once/count.php?s=6").exchange().expectStatus().isEqualTo(504);
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(Files.readString(runs)).as("runs of the script").isEqualTo("xx");
		assertThat(took).isGreaterThanOrEqualTo(READ_TIMEOUT).isLessThan(READ_TIMEOUT.multipliedBy(2));
	}

	@Test
	void traceAndConnectNeverReachTheBackend() throws IOException {
		for (String method : List.of("TRACE", "CONNECT")) {
			RawHttp.Response response = raw().exchange(method, "/hello.php", "");
			assertThat(response.status()).as(method).isEqualTo(405);
			assertThat(response.header("allow")).as(method).contains("GET").doesNotContain("TRACE", "CONNECT");
			assertThat(response.bodyText()).as(method).doesNotContain("Hello");
		}
	}

	@Test
	void aBurstBeyondTheQueueIsAnswered503AndTheBackendStaysInRotation() throws Exception {
		PoolBackend backend = this.pools.get("burst").backend(0);
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest gate = HttpRequest.newBuilder(URI.create(base() + "/burst/gate.php")).build();
		// Two requests on the two connections, two waiting in the queue.
		List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			admitted.add(http.sendAsync(gate, HttpResponse.BodyHandlers.ofString()));
		}
		Awaitility.await("connections busy and queue full").atMost(Duration.ofSeconds(10))
			.until(() -> backend.load() == 4 && backend.queued() == 2);
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> overflow = http.send(gate, HttpResponse.BodyHandlers.ofString());
			assertThat(overflow.statusCode()).isEqualTo(503);
			assertThat(overflow.headers().firstValue("Retry-After")).hasValue("1");
		}
		assertThat(backend.state()).isEqualTo(State.ACTIVE);
		assertThat(backend.disables()).isZero();
		Files.writeString(phpFpm.documentRoot().resolve("burst/open"), "");
		for (CompletableFuture<HttpResponse<String>> response : admitted) {
			HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(answer.body()).isEqualTo("through");
		}
		// Not disabled: the next request is served at once, not answered 503 for a disable-time.
		assertThat(http.send(gate, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
	}

	@Test
	void aFloodOfStderrOutputIsLoggedAtALimitedRate(CapturedOutput output) throws Exception {
		String marker = "stderr of 127.0.0.1:" + phpFpm.address().getPort() + " for /status.php";
		int before = occurrences(output.toString(), marker);
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/status.php?code=200")).build();
		// Each request writes one stderr line: 60 at once, far more than 20 lines in a second.
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			responses.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
		}
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		}
		// The count of the suppressed lines is written with the first line of a later second.
		Awaitility.await("a suppressed count").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
			.until(() -> {
				get("/status.php?code=200").exchange().expectStatus().isOk();
				return output.toString().contains("stderr of pool 'php': suppressed ");
			});
		assertThat(occurrences(output.toString(), marker) - before).isLessThan(60);
	}

	private static int occurrences(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

}
