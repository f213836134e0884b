package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.peers.PeerProcess;
import dev.lighttpdboot.test.peers.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Shutdown order with spawned php-cgi (Debian package {@code php-cgi}): the web server finishes the requests in
 * flight within the graceful-shutdown period, and only then are the processes stopped. Stopped first, php-cgi
 * would cut the request (502, or a closed connection).
 */
class GatewayGracefulShutdownIntegrationTests {

	private Path root;

	@BeforeEach
	void scripts() throws IOException {
		Peers.require("php-cgi", Path.of("/usr/bin/php-cgi"));
		this.root = Files.createTempDirectory("lighttpd-graceful-");
		// sleep() returns the seconds left when a signal (the SIGTERM of a stop) interrupts it.
		Files.writeString(this.root.resolve("slow.php"), "<?php $left = sleep(3); echo 'slept ', 3 - $left;");
	}

	@AfterEach
	void deleteScripts() throws IOException {
		FileSystemUtils.deleteRecursively(this.root);
	}

	@Test
	void aRequestInFlightFinishesBeforeTheSpawnedProcessesStop() throws Exception {
		ConfigurableApplicationContext context = run("graceful");
		List<ProcessHandle> processes;
		CompletableFuture<HttpResponse<String>> answer;
		CompletableFuture<Integer> requestsAtStop;
		try {
			processes = spawned("graceful");
			assertThat(processes).as("php-cgi master and workers").hasSizeGreaterThanOrEqualTo(2);
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			answer = HttpClient.newHttpClient()
				.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow.php"))
					.timeout(Duration.ofSeconds(20))
					.build(), HttpResponse.BodyHandlers.ofString());
			PoolBackend backend = context.getBean(GatewayPools.class).get("graceful").backend(0);
			await("the request reached php-cgi").atMost(Duration.ofSeconds(10)).until(() -> backend.load() == 1);
			assertThat(answer).as("the answer while php-cgi sleeps").isNotDone();
			// The backend turns stopped when the stop of its process begins: was the request still with php-cgi?
			requestsAtStop = CompletableFuture.supplyAsync(() -> {
				await("the stop of php-cgi").pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(60))
					.until(() -> backend.state() == PoolBackend.State.STOPPED);
				return backend.load();
			});
		}
		finally {
			context.close();
		}
		assertThat(requestsAtStop.get(10, TimeUnit.SECONDS)).as("requests with php-cgi when its stop began").isZero();
		HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).as("the script ran to its end").isEqualTo("slept 3");
		await("php-cgi stopped").atMost(Duration.ofSeconds(10))
			.until(() -> processes.stream().noneMatch(PeerProcess::isRunning));
	}

	@Test
	void aRouteThatCannotStartLeavesNoProcessOfAnEarlierRouteRunning() {
		assertThatException().isThrownBy(() -> run("first", "--lighttpd.gateway.routes[1].name=second",
				"--lighttpd.gateway.routes[1].path-prefix=/second/",
				"--lighttpd.gateway.routes[1].document-root=" + this.root,
				"--lighttpd.gateway.routes[1].spawn.command=" + this.root.resolve("missing-program") + ",{address}"));
		await("php-cgi of the first route stopped").atMost(Duration.ofSeconds(15))
			.until(() -> spawned("first").isEmpty());
	}

	private ConfigurableApplicationContext run(String pool, String... more) {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--server.shutdown=graceful",
				"--spring.lifecycle.timeout-per-shutdown-phase=20s", "--lighttpd.document-root=" + this.root,
				"--lighttpd.gateway.routes[0].name=" + pool, "--lighttpd.gateway.routes[0].extensions=.php",
				"--lighttpd.gateway.routes[0].document-root=" + this.root,
				"--lighttpd.gateway.routes[0].spawn.command=php-cgi,-b,{address}",
				"--lighttpd.gateway.routes[0].spawn.max-connections=2",
				"--lighttpd.gateway.routes[0].spawn.environment.PHP_FCGI_CHILDREN=2"));
		arguments.addAll(List.of(more));
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.REACTIVE)
			.registerShutdownHook(false)
			.run(arguments.toArray(String[]::new));
	}

	/** The running php-cgi processes (masters and workers) of a pool, found by the socket directory in their arguments. */
	private static List<ProcessHandle> spawned(String pool) {
		return ProcessHandle.current()
			.descendants()
			.filter(PeerProcess::isRunning)
			.filter((process) -> process.info().arguments().map((arguments) -> String.join(" ", arguments))
				.orElse("").contains("lighttpd-spawn-" + pool + "-"))
			.toList();
	}

}
