package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.lighttpdboot.gateway.PoolBackend.State;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.PeerProcess;
import dev.lighttpdboot.test.peers.Peers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route whose backends are php-cgi processes it spawns itself (Debian package {@code php-cgi}), on Unix-domain
 * sockets: PHP answers with no other set-up, a killed process is replaced while the other takes the requests.
 * The context is closed after the class, which stops the processes.
 */
@DirtiesContext
class GatewaySpawnIntegrationTests extends RealServerTests {

	private static final Path ROOT = scripts();

	@Autowired
	private GatewayPools pools;

	@BeforeAll
	static void requirePhpCgi() {
		Peers.require("php-cgi", Path.of("/usr/bin/php-cgi"));
	}

	@AfterAll
	static void deleteScripts() throws IOException {
		FileSystemUtils.deleteRecursively(ROOT);
	}

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "spawned");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].document-root", ROOT::toString);
		registry.add("lighttpd.gateway.routes[0].balance", () -> "round-robin");
		registry.add("lighttpd.gateway.routes[0].spawn.command", () -> "php-cgi,-b,{address}");
		registry.add("lighttpd.gateway.routes[0].spawn.processes", () -> "2");
		registry.add("lighttpd.gateway.routes[0].spawn.max-connections", () -> "2");
		registry.add("lighttpd.gateway.routes[0].spawn.environment.PHP_FCGI_CHILDREN", () -> "2");
	}

	@Test
	void spawnedPhpCgiAnswersAndAKilledProcessIsReplaced() {
		GatewayPool pool = this.pools.get("spawned");
		assertThat(pool.backends()).hasSize(2).allSatisfy((backend) -> {
			assertThat(backend.name()).startsWith("unix:");
			assertThat(backend.state()).isEqualTo(State.ACTIVE);
		});
		for (int i = 0; i < 4; i++) {
			get("/hello.php").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("cgi-fcgi");
		}
		assertThat(pool.backends()).allSatisfy((backend) -> assertThat(backend.requests()).isEqualTo(2));
		ProcessHandle master = ProcessHandle.current().descendants()
			.filter((process) -> process.info().command().orElse("").contains("php-cgi"))
			.filter((process) -> process.parent().map(ProcessHandle.current()::equals).orElse(false))
			.findFirst().orElseThrow();
		master.destroyForcibly();
		Awaitility.await("the killed process's backend stopped").atMost(Duration.ofSeconds(10))
			.until(() -> pool.backends().stream().anyMatch((backend) -> backend.state() != State.ACTIVE));
		// Meanwhile the other process answers every request.
		for (int i = 0; i < 4; i++) {
			get("/hello.php").exchange().expectStatus().isOk();
		}
		Awaitility.await("the replacement takes requests").atMost(Duration.ofSeconds(15))
			.until(() -> pool.backends().stream().allMatch((backend) -> backend.state() == State.ACTIVE));
		assertThat(PeerProcess.isRunning(master)).isFalse();
	}

	private static Path scripts() {
		try {
			Path root = Files.createTempDirectory("lighttpd-spawn-route-");
			Files.writeString(root.resolve("hello.php"), "<?php echo php_sapi_name();");
			return root;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
