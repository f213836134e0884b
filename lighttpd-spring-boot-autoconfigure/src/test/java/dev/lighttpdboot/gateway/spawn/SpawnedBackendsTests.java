package dev.lighttpdboot.gateway.spawn;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.gateway.BackendAddress;
import dev.lighttpdboot.test.peers.PeerProcess;
import io.netty.channel.unix.DomainSocketAddress;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SpawnedBackends} with a tiny python3 program as the backend (see {@link UnixListener}).
 */
class SpawnedBackendsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final SpawnedProcessLeaks leaks = new SpawnedProcessLeaks();

	@AfterEach
	void noProcessLeft() {
		this.leaks.closeAndAssertNoneLeft();
	}

	@Test
	void startsEveryProcessOnItsOwnSocketInAPrivateDirectory() throws IOException {
		SpawnedBackends spawned = spawn("web", SpawnSpec.of(UnixListener.command(), 3));
		RecordingListener listener = new RecordingListener(spawned);
		spawned.addListener(listener);
		assertThat(spawned.start()).isTrue();
		this.leaks.remember(spawned);
		assertThat(Files.getPosixFilePermissions(spawned.directory()))
			.isEqualTo(PosixFilePermissions.fromString("rwx------"));
		assertThat(spawned.addresses()).hasSize(3);
		for (int index = 0; index < 3; index++) {
			String address = spawned.addresses().get(index);
			Path socket = spawned.directory().resolve("web-" + index + ".sock");
			assertThat(address).isEqualTo("unix:" + socket);
			assertThat(BackendAddress.parse(address)).isInstanceOfSatisfying(DomainSocketAddress.class,
					(parsed) -> assertThat(parsed.path()).isEqualTo(socket.toString()));
			assertThat(accepts(socket)).as(address).isTrue();
		}
		assertThat(listener.events()).containsExactlyInAnyOrder("up 0", "up 1", "up 2");
		assertThat(spawned.states()).allSatisfy((state) -> {
			assertThat(state.running()).isTrue();
			assertThat(state.ready()).isTrue();
			assertThat(state.pid()).isPositive();
			assertThat(state.restarts()).isZero();
			assertThat(state.lastExitCode()).isEqualTo(-1);
		});
	}

	@Test
	void aKilledProcessIsReportedDownAndUpAgainOnceItsReplacementListens() {
		SpawnedBackends spawned = spawn("kill", SpawnSpec.of(UnixListener.command(), 2));
		RecordingListener listener = new RecordingListener(spawned);
		spawned.addListener(listener);
		assertThat(spawned.start()).isTrue();
		long victim = spawned.states().get(1).pid();
		long survivor = spawned.states().get(0).pid();
		this.leaks.remember(spawned);
		ProcessHandle.of(victim).orElseThrow().destroyForcibly();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(listener.events())
			.filteredOn((event) -> event.startsWith("up 1") || event.startsWith("down 1"))
			.containsExactly("up 1", "down 1 process exited with code 137", "up 1"));
		assertThat(listener.events()).containsOnlyOnce("up 0").doesNotContain("down 0");
		ProcessState restarted = spawned.states().get(1);
		assertThat(restarted.restarts()).isEqualTo(1);
		assertThat(restarted.pid()).isPositive().isNotEqualTo(victim);
		assertThat(restarted.lastExitCode()).isEqualTo(137);
		assertThat(restarted.ready()).isTrue();
		assertThat(accepts(spawned.directory().resolve("kill-1.sock"))).isTrue();
		assertThat(spawned.states().get(0).pid()).isEqualTo(survivor);
		assertThat(spawned.states().get(0).restarts()).isZero();
	}

	@Test
	void aCommandThatExitsAtOnceIsRestartedWithGrowingBackoffUntilStopped(@TempDir Path temp) throws IOException {
		Path starts = temp.resolve("starts");
		// Each run appends the time (ns) it started, then fails.
		List<String> command = List.of("/bin/sh", "-c", "date +%s%N >> \"$1\"; exit 3", "sh", starts.toString(),
				"{address}");
		SpawnedBackends spawned = spawn("crash",
				SpawnSpec.of(command, 1)
					.withBackoff(Duration.ofMillis(100), Duration.ofMillis(300))
					.withReadyTimeout(Duration.ofMillis(200)));
		RecordingListener listener = new RecordingListener(spawned);
		spawned.addListener(listener);
		// It never listens: start() gives up after the ready timeout and supervision goes on.
		assertThat(spawned.start()).isFalse();
		Awaitility.await().atMost(WAIT).until(() -> lines(starts).size() >= 6);
		List<Long> times = lines(starts).stream().map(Long::parseLong).toList();
		List<Long> gapsMillis = new ArrayList<>();
		for (int i = 1; i < 6; i++) {
			gapsMillis.add((times.get(i) - times.get(i - 1)) / 1_000_000);
		}
		// The gap between two starts is the run plus the back-off, so the back-off is a lower bound ...
		long[] backoffs = { 100, 200, 300, 300, 300 };
		for (int i = 0; i < backoffs.length; i++) {
			assertThat(gapsMillis.get(i)).as("gap %d of %s", i, gapsMillis).isGreaterThanOrEqualTo(backoffs[i]);
		}
		// ... and the maximum holds: without it the fifth gap would be 1.6 s.
		assertThat(gapsMillis.get(4)).as("gaps %s", gapsMillis).isLessThan(1000);
		ProcessState state = spawned.states().get(0);
		assertThat(state.restarts()).isGreaterThanOrEqualTo(5);
		assertThat(state.lastExitCode()).isEqualTo(3);
		assertThat(state.ready()).isFalse();
		assertThat(listener.events()).as("never up, so never down").isEmpty();
		spawned.stop();
		int count = lines(starts).size();
		Awaitility.await("no start after stop()")
			.during(Duration.ofMillis(800))
			.atMost(Duration.ofSeconds(2))
			.until(() -> lines(starts).size() == count);
	}

	@Test
	void aProcessThatNeverListensIsKilledAfterTheReadyTimeoutAndRestarted() {
		List<String> command = List.of("/bin/sh", "-c", "exec sleep 60", "sh", "{address}");
		SpawnedBackends spawned = spawn("silent", SpawnSpec.of(command, 1)
			.withBackoff(Duration.ofMillis(50), Duration.ofMillis(50))
			.withReadyTimeout(Duration.ofMillis(300)));
		assertThat(spawned.start()).isFalse();
		this.leaks.remember(spawned);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			this.leaks.remember(spawned);
			assertThat(spawned.states().get(0).restarts()).isGreaterThanOrEqualTo(1);
			assertThat(spawned.states().get(0).lastExitCode()).isEqualTo(137);
		});
	}

	@Test
	void stopEndsEveryProcessAndItsWorkersAndDeletesTheDirectory() {
		SpawnedBackends spawned = spawn("stop", SpawnSpec.of(UnixListener.command(2, false), 2));
		RecordingListener listener = new RecordingListener(spawned);
		spawned.addListener(listener);
		assertThat(spawned.start()).isTrue();
		List<Long> pids = this.leaks.remember(spawned);
		assertThat(pids).hasSize(6);
		spawned.stop();
		assertThat(pids).allSatisfy((pid) -> assertThat(ProcessHandle.of(pid).filter(PeerProcess::isRunning))
			.as("pid %d", pid).isEmpty());
		assertThat(spawned.directory()).doesNotExist();
		assertThat(listener.events()).contains("down 0 stopped", "down 1 stopped");
		assertThat(spawned.states()).allSatisfy((state) -> assertThat(state.running()).isFalse());
		spawned.stop();
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(spawned::start);
	}

	@Test
	void workersThatOutliveAKilledMasterAreStoppedBeforeItIsRestarted() {
		// Like php-cgi with PHP_FCGI_CHILDREN: the master leads its own session, so its workers survive its death.
		SpawnedBackends spawned = spawn("orphans", SpawnSpec.of(UnixListener.command(2, true), 1));
		assertThat(spawned.start()).isTrue();
		ProcessHandle master = ProcessHandle.of(spawned.states().get(0).pid()).orElseThrow();
		List<ProcessHandle> workers = master.children().toList();
		assertThat(workers).hasSize(2);
		this.leaks.remember(spawned);
		master.destroyForcibly();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(workers).noneMatch(PeerProcess::isRunning);
			assertThat(spawned.states().get(0).ready()).isTrue();
			assertThat(spawned.states().get(0).restarts()).isEqualTo(1);
		});
		this.leaks.remember(spawned);
	}

	@Test
	void stopEndsWorkersOfAKilledMasterThatStillWaitForTheirSigkillAfterTheRestart() {
		// They got SIGTERM when their master died and ignore it; their SIGKILL is due only after a grace period,
		// which a stop() right after the restart must not wait for, nor forget.
		SpawnedBackends spawned = spawn("stubborn", SpawnSpec.of(UnixListener.stubbornWorkers(2), 1)
			.withBackoff(Duration.ofMillis(10), Duration.ofMillis(10)));
		assertThat(spawned.start()).isTrue();
		ProcessHandle master = ProcessHandle.of(spawned.states().get(0).pid()).orElseThrow();
		List<ProcessHandle> workers = master.children().toList();
		assertThat(workers).hasSize(2);
		this.leaks.remember(spawned);
		master.destroyForcibly();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(spawned.states().get(0).ready()).isTrue();
			assertThat(spawned.states().get(0).restarts()).isEqualTo(1);
		});
		this.leaks.remember(spawned);
		assertThat(workers).as("still waiting for their SIGKILL").allMatch(PeerProcess::isRunning);
		spawned.stop();
		assertThat(workers).noneMatch(PeerProcess::isRunning);
	}

	@Test
	void aCommandThatCannotRunFailsStartAndLeavesNothingBehind() {
		SpawnedBackends spawned = spawn("missing", SpawnSpec.of(List.of("/nonexistent/php-cgi", "{address}"), 2));
		assertThatExceptionOfType(SpawnException.class).isThrownBy(spawned::start)
			.withMessageContaining("/nonexistent/php-cgi");
		assertThat(spawned.directory()).doesNotExist();
	}

	private SpawnedBackends spawn(String pool, SpawnSpec spec) {
		return this.leaks.track(new SpawnedBackends(pool, spec));
	}

	private static boolean accepts(Path socket) {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			return channel.connect(UnixDomainSocketAddress.of(socket));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static List<String> lines(Path file) throws IOException {
		return Files.exists(file) ? Files.readAllLines(file).stream().filter((line) -> !line.isBlank()).toList()
				: List.of();
	}

}
