package dev.lighttpdboot.gateway.spawn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.lighttpdboot.test.peers.PeerProcess;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Remembers every supervisor a test creates and every process it saw, so that the test's {@code @AfterEach} can
 * close them and prove that nothing is left: no process, no worker, no socket directory.
 */
final class SpawnedProcessLeaks {

	private final List<SpawnedBackends> supervisors = new ArrayList<>();

	private final Set<Long> pids = ConcurrentHashMap.newKeySet();

	/** Track {@code spawned}, returning it. */
	SpawnedBackends track(SpawnedBackends spawned) {
		this.supervisors.add(spawned);
		return spawned;
	}

	/** Remember the processes {@code spawned} runs now, with their workers, and return their pids. */
	List<Long> remember(SpawnedBackends spawned) {
		List<Long> seen = new ArrayList<>();
		for (ProcessState state : spawned.states()) {
			if (state.pid() != -1) {
				seen.add(state.pid());
				ProcessHandle.of(state.pid()).ifPresent((process) -> process.descendants()
					.forEach((worker) -> seen.add(worker.pid())));
			}
		}
		this.pids.addAll(seen);
		return seen;
	}

	/** Remember a process started by other means. */
	void remember(long pid) {
		this.pids.add(pid);
	}

	/** Close every supervisor and fail unless every remembered process and every child of the JVM has ended. */
	void closeAndAssertNoneLeft() {
		List<Path> directories = new ArrayList<>();
		for (SpawnedBackends spawned : this.supervisors) {
			remember(spawned);
			spawned.close();
			directories.add(spawned.directory());
		}
		// stop() waits until its processes ended: no waiting should be needed, the timeout only reports a leak.
		Awaitility.await("every spawned process ended")
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> {
				assertThat(this.pids).filteredOn((pid) -> ProcessHandle.of(pid).filter(PeerProcess::isRunning)
					.isPresent()).isEmpty();
				assertThat(ProcessHandle.current().children().filter(PeerProcess::isRunning)).isEmpty();
			});
		assertThat(directories).allSatisfy((directory) -> assertThat(directory).doesNotExist());
	}

}
