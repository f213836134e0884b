package dev.lighttpdboot.gateway.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.BackendAddress;
import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.gateway.fastcgi.FastCgiBackend;
import dev.lighttpdboot.gateway.fastcgi.FastCgiBackendOptions;
import dev.lighttpdboot.test.peers.PeerProcess;
import dev.lighttpdboot.test.peers.Peers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SpawnedBackends} running real php-cgi (Debian package {@code php-cgi}) with {@code PHP_FCGI_CHILDREN},
 * answering FastCGI requests over Unix-domain sockets through {@link FastCgiBackend}.
 */
class PhpCgiSpawnTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final SpawnedProcessLeaks leaks = new SpawnedProcessLeaks();

	private final List<FastCgiBackend> backends = new ArrayList<>();

	@TempDir
	Path documentRoot;

	private SpawnedBackends spawned;

	@BeforeEach
	void spawnPhpCgi() throws IOException {
		Path phpCgi = Peers.require("php-cgi", Path.of("/usr/bin/php-cgi"));
		Files.writeString(this.documentRoot.resolve("who.php"),
				"<?php echo php_sapi_name(), ' ', getmypid(), ' ', getenv('SPAWN_TEST');\n");
		this.spawned = this.leaks.track(new SpawnedBackends("php", SpawnSpec.of(List.of(phpCgi.toString(), "-b",
				SpawnSpec.ADDRESS), 2)
			.withEnvironment(Map.of("PHP_FCGI_CHILDREN", "2", "SPAWN_TEST", "from-spec"))));
		assertThat(this.spawned.start()).isTrue();
	}

	@AfterEach
	void noProcessLeft() {
		this.backends.forEach((backend) -> backend.dispose().block(WAIT));
		this.leaks.closeAndAssertNoneLeft();
	}

	@Test
	void eachSpawnedPhpCgiAnswersOnItsSocketFromOneOfItsWorkers() {
		for (ProcessState state : this.spawned.states()) {
			ProcessHandle master = ProcessHandle.of(state.pid()).orElseThrow();
			List<Long> workers = awaitWorkers(master, 2);
			this.leaks.remember(this.spawned);
			String answer = get(state.address());
			assertThat(answer).startsWith("cgi-fcgi ").endsWith(" from-spec");
			long servedBy = Long.parseLong(answer.split(" ")[1]);
			assertThat(workers).as("workers of %s", state.address()).contains(servedBy);
		}
	}

	@Test
	void aKilledPhpCgiLosesItsWorkersAndAnswersAgainAfterTheRestart() {
		ProcessState first = this.spawned.states().get(0);
		ProcessHandle master = ProcessHandle.of(first.pid()).orElseThrow();
		List<ProcessHandle> workers = awaitWorkers(master, 2).stream()
			.map((pid) -> ProcessHandle.of(pid).orElseThrow())
			.toList();
		this.leaks.remember(this.spawned);
		assertThat(get(first.address())).startsWith("cgi-fcgi ");
		// php-cgi calls setsid(): its workers outlive a master killed by SIGKILL unless the supervisor ends them.
		master.destroyForcibly();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(workers).noneMatch(PeerProcess::isRunning);
			assertThat(this.spawned.states().get(0).ready()).isTrue();
		});
		ProcessState restarted = this.spawned.states().get(0);
		assertThat(restarted.restarts()).isEqualTo(1);
		List<Long> newWorkers = awaitWorkers(ProcessHandle.of(restarted.pid()).orElseThrow(), 2);
		this.leaks.remember(this.spawned);
		assertThat(Long.parseLong(get(first.address()).split(" ")[1])).isIn(newWorkers);
	}

	private List<Long> awaitWorkers(ProcessHandle master, int count) {
		// php-cgi forks its workers after it listens.
		Awaitility.await("php-cgi " + master.pid() + " has " + count + " workers")
			.atMost(WAIT)
			.until(() -> master.children().filter(PeerProcess::isRunning).count() == count);
		return master.children().map(ProcessHandle::pid).toList();
	}

	private String get(String address) {
		FastCgiBackend backend = new FastCgiBackend(address, BackendAddress.parse(address),
				FastCgiBackendOptions.DEFAULTS);
		this.backends.add(backend);
		WebClient client = WebClient.builder()
			.clientConnector(new CgiClientHttpConnector(backend, this.documentRoot.toString()))
			.build();
		return client.get().uri("http://localhost/who.php").retrieve().bodyToMono(String.class).block(WAIT);
	}

}
