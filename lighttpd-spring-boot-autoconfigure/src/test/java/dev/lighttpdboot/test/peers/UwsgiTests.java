package dev.lighttpdboot.test.peers;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link Uwsgi} serves the echo application over FastCGI, and can be killed for fault injection.
 */
class UwsgiTests extends EchoPeerContract {

	@RegisterExtension
	static final Uwsgi uwsgi = Uwsgi.onFreePort();

	@Override
	FastCgiPeer peer() {
		return uwsgi;
	}

	@Test
	void logsWhatItServes() throws Exception {
		RawFastCgi.exchange(uwsgi.address(), RawFastCgi.params("GET", "/logged", "", "", null, 0), new byte[0]);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(uwsgi.errorLog()).contains("GET /logged"));
	}

	@Test
	void killTakesDownMasterAndWorkers() throws Exception {
		Uwsgi doomed = Uwsgi.onFreePort();
		doomed.start();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> doomed.workerPids().size() == 2);
			List<ProcessHandle> processes = new ArrayList<>();
			processes.add(ProcessHandle.of(doomed.pid()).orElseThrow());
			doomed.workerPids().forEach((pid) -> processes.add(ProcessHandle.of(pid).orElseThrow()));
			doomed.kill();
			assertThat(processes).noneMatch(PeerProcess::isRunning);
			assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> RawFastCgi.exchange(doomed.address(), Map.of(), new byte[0]));
		}
		finally {
			doomed.stop();
		}
	}

}
