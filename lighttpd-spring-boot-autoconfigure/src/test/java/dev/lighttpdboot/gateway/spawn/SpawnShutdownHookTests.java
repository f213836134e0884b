package dev.lighttpdboot.gateway.spawn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.test.peers.PeerProcess;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM shutdown hook of {@link SpawnedBackends}: a JVM stopped by SIGTERM leaves no spawned process behind.
 */
class SpawnShutdownHookTests {

	private final SpawnedProcessLeaks leaks = new SpawnedProcessLeaks();

	private Process child;

	@AfterEach
	void noProcessLeft() {
		if (this.child != null) {
			this.child.destroyForcibly();
		}
		this.leaks.closeAndAssertNoneLeft();
	}

	@Test
	void aJvmStoppedBySigtermStopsItsSpawnedProcessesAndWorkers() throws Exception {
		// Skips (or fails under peers=required) here rather than in the child.
		UnixListener.python();
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		this.child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
				SpawnShutdownHookMain.class.getName())
			.redirectErrorStream(true)
			.start();
		List<String> output = new CopyOnWriteArrayList<>();
		CompletableFuture<String> pidLine = new CompletableFuture<>();
		CompletableFuture<String> directoryLine = new CompletableFuture<>();
		Thread reader = new Thread(() -> read(this.child, output, pidLine, directoryLine), "child-jvm-output");
		reader.setDaemon(true);
		reader.start();
		String pidsText = pidLine.get(60, TimeUnit.SECONDS);
		Path directory = Path.of(directoryLine.get(1, TimeUnit.SECONDS));
		List<Long> pids = Arrays.stream(pidsText.split(" ")).map(Long::parseLong).toList();
		pids.forEach(this.leaks::remember);
		// Two masters with a worker each.
		assertThat(pids).hasSize(4).allSatisfy((pid) -> assertThat(ProcessHandle.of(pid)).isPresent());
		assertThat(directory).isDirectory();

		this.child.destroy();
		assertThat(this.child.waitFor(30, TimeUnit.SECONDS)).as("child JVM exits; output: %s", output).isTrue();
		assertThat(this.child.exitValue()).isEqualTo(143);
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(pids)
			.filteredOn((pid) -> ProcessHandle.of(pid).filter(PeerProcess::isRunning).isPresent())
			.as("spawned processes still running; output: %s", output)
			.isEmpty());
		assertThat(directory).doesNotExist();
	}

	private static void read(Process child, List<String> output, CompletableFuture<String> pids,
			CompletableFuture<String> directory) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				output.add(line);
				if (line.startsWith("directory ")) {
					directory.complete(line.substring("directory ".length()));
				}
				else if (line.startsWith("pids ")) {
					pids.complete(line.substring("pids ".length()));
				}
			}
			pids.completeExceptionally(new IllegalStateException("child JVM ended early: " + output));
		}
		catch (IOException ex) {
			pids.completeExceptionally(new UncheckedIOException(ex));
		}
	}

}
