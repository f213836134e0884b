package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Prometheus (Debian package {@code prometheus}) on a free loopback port, scraping
 * {@code /actuator/prometheus} on a loopback management port every second as job {@code sample-app}, its time
 * series in the run's temporary directory. Queries go to {@code /api/v1/query} on {@link #port()}.
 */
public final class Prometheus extends PeerProcess {

	private static final Path BINARY = Path.of("/usr/bin/prometheus");

	private final int managementPort;

	/**
	 * @param managementPort the port serving {@code /actuator/prometheus}
	 */
	public Prometheus(int managementPort) {
		super("prometheus");
		this.managementPort = managementPort;
	}

	@Override
	protected List<String> prepare(Path directory, int port) throws IOException {
		Path binary = Peers.require("prometheus", BINARY);
		String config = """
				global:
				  scrape_interval: 1s
				  evaluation_interval: 1s
				scrape_configs:
				  - job_name: sample-app
				    metrics_path: /actuator/prometheus
				    static_configs:
				      - targets: ['127.0.0.1:%d']
				""".formatted(this.managementPort);
		Path file = Files.writeString(directory.resolve("prometheus.yml"), config);
		return List.of(binary.toString(), "--config.file=" + file, "--storage.tsdb.path=" + directory.resolve("data"),
				"--web.listen-address=127.0.0.1:" + port);
	}

	@Override
	protected Path logFile(Path directory) {
		return directory.resolve("console.log");
	}

	/** The port of Prometheus's web UI and HTTP API. */
	public int port() {
		return address().getPort();
	}

}
