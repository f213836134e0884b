package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * {@link PhpFpm} starts a pool that serves the test's scripts, applies its settings, and leaves no process behind.
 */
class PhpFpmTests {

	// One worker replaced after every second request, so that replacement shows within three requests.
	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(1).maxRequests(2);

	@BeforeAll
	static void writeScripts() throws IOException {
		Files.writeString(phpFpm.documentRoot().resolve("hello.php"), "<?php echo 'Hello from PHP ' . PHP_VERSION;");
		Files.writeString(phpFpm.documentRoot().resolve("pid.php"), "<?php echo getmypid();");
		Files.writeString(phpFpm.documentRoot().resolve("complain.php"),
				"<?php file_put_contents('php://stderr', \"worker-stderr-marker\\n\"); error_log('fastcgi-stderr-marker'); echo 'ok';");
		Files.writeString(phpFpm.documentRoot().resolve("hello.txt"), "not a script");
	}

	@Test
	void servesAScriptFromTheDocumentRoot() throws IOException {
		RawFastCgi.Response response = get("/hello.php");
		assertThat(response.headers()).containsEntry("content-type", "text/html; charset=UTF-8")
			.doesNotContainKey("status");
		assertThat(response.bodyText()).startsWith("Hello from PHP 8.");
		assertThat(response.appStatus()).isZero();
		assertThat(response.protocolStatus()).isZero();
	}

	@Test
	void unknownScriptIsNotFound() throws IOException {
		RawFastCgi.Response response = get("/nowhere.php");
		assertThat(response.headers()).containsEntry("status", "404 Not Found");
		assertThat(response.bodyText()).isEqualTo("File not found.\n");
		assertThat(response.stderr()).contains("Primary script unknown");
	}

	@Test
	void onlyPhpFilesAreExecuted() throws IOException {
		RawFastCgi.Response response = get("/hello.txt");
		assertThat(response.headers()).containsEntry("status", "403 Forbidden");
		assertThat(response.bodyText()).isEqualTo("Access denied.\n");
	}

	@Test
	void workerIsReplacedAfterMaxRequests() throws IOException {
		List<String> pids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			pids.add(get("/pid.php").bodyText());
		}
		// Three requests to one worker that serves two at most: whatever came before, one was replaced.
		assertThat(new HashSet<>(pids)).hasSizeGreaterThanOrEqualTo(2);
	}

	@Test
	void workerStderrReachesTheErrorLog() throws IOException {
		RawFastCgi.Response response = get("/complain.php");
		assertThat(response.bodyText()).isEqualTo("ok");
		assertThat(response.stderr()).contains("fastcgi-stderr-marker");
		// The master copies what workers write to their STDERR into the log, asynchronously.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(
				() -> assertThat(phpFpm.errorLog()).contains("worker-stderr-marker"));
	}

	@Test
	void stopLeavesNoProcessBehind() throws IOException {
		PhpFpm other = PhpFpm.onFreePort().children(2);
		other.start();
		List<ProcessHandle> processes = processes(other);
		assertThat(processes).hasSize(3).allMatch(PeerProcess::isRunning);
		Path directory = other.documentRoot().getParent();
		other.stop();
		assertThat(processes).noneMatch(PeerProcess::isRunning);
		assertThat(directory).doesNotExist();
	}

	@Test
	void startupFailureShowsTheLog() {
		// The later of two "pm" lines wins, so this pool is invalid and php-fpm exits at once.
		PhpFpm broken = PhpFpm.onFreePort().poolSetting("pm", "sometimes");
		assertThatIllegalStateException().isThrownBy(broken::start)
			.withMessageContaining("php-fpm exited")
			.withMessageContaining("invalid process manager");
		assertThat(broken.isStarted()).isFalse();
	}

	@Test
	void killTakesDownMasterAndWorkers() throws IOException {
		PhpFpm doomed = PhpFpm.onFreePort().children(2);
		doomed.start();
		try {
			List<ProcessHandle> processes = processes(doomed);
			doomed.kill();
			assertThat(processes).noneMatch(PeerProcess::isRunning);
			assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> RawFastCgi.exchange(doomed.address(), Map.of(), new byte[0]));
		}
		finally {
			doomed.stop();
		}
	}

	private static List<ProcessHandle> processes(PhpFpm fpm) {
		// The port is bound before the master forks, so the workers may still be on their way.
		await().atMost(Duration.ofSeconds(5)).until(() -> fpm.workerPids().size() == 2);
		List<ProcessHandle> processes = new ArrayList<>();
		processes.add(ProcessHandle.of(fpm.pid()).orElseThrow());
		fpm.workerPids().forEach((pid) -> processes.add(ProcessHandle.of(pid).orElseThrow()));
		return processes;
	}

	private static RawFastCgi.Response get(String script) throws IOException {
		Map<String, String> params = RawFastCgi.params("GET", script, "", "",
				phpFpm.documentRoot().resolve(script.substring(1)).toString(), 0);
		return RawFastCgi.exchange(phpFpm.address(), params, new byte[0]);
	}

}
