package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.awaitility.Awaitility;

import org.springframework.util.FileSystemUtils;

/**
 * A Debian program run by a test in the foreground on a free loopback port, with its files in a temporary
 * directory of its own (deleted by {@link #close()}): redis-server and haproxy for the tests of several nodes, prometheus for the dashboard's.
 * {@link #kill()} and {@link #restart()} (same port) inject a crash and an operator's restart.
 */
final class LocalPeer implements AutoCloseable {

	private final String name;

	private final Function<LocalPeer, List<String>> command;

	private final Path directory;

	private final int port;

	private Process process;

	private Thread shutdownHook;

	private LocalPeer(String name, Function<LocalPeer, List<String>> command) throws IOException {
		this.name = name;
		this.command = command;
		this.directory = Files.createTempDirectory("lighttpd-" + name + "-");
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.port = socket.getLocalPort();
		}
	}

	/** redis-server without snapshots or append-only file: a restart starts empty. */
	static LocalPeer redis() throws IOException {
		Path binary = Peers.require("redis-server", Path.of("/usr/bin/redis-server"));
		return new LocalPeer("redis-server", (peer) -> List.of(binary.toString(), "--port", String.valueOf(peer.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", peer.directory.toString(),
				"--daemonize", "no")).start();
	}

	/**
	 * haproxy in front of {@code nodes}, round robin, checking {@code /actuator/health} on each node's management
	 * port; each response names the node that answered in {@code X-Served-By} ({@code n1}, {@code n2}...).
	 * @param nodes the nodes' ports
	 * @param managementPorts their management ports, in the same order
	 */
	static LocalPeer haproxy(int[] nodes, int[] managementPorts) throws IOException {
		Path binary = Peers.require("haproxy", Path.of("/usr/sbin/haproxy"));
		return new LocalPeer("haproxy", (peer) -> {
			StringBuilder config = new StringBuilder("""
					global
					    maxconn 256
					defaults
					    mode http
					    timeout connect 5s
					    timeout client 30s
					    timeout server 30s
					    timeout http-request 10s
					    timeout check 5s
					listen app
					""");
			config.append("    bind 127.0.0.1:").append(peer.port).append('\n').append("""
					    balance roundrobin
					    option httpchk GET /actuator/health
					    http-check expect status 200
					    http-response set-header X-Served-By %[srv_name]
					""");
			for (int i = 0; i < nodes.length; i++) {
				config.append("    server n").append(i + 1).append(" 127.0.0.1:").append(nodes[i])
					.append(" check port ").append(managementPorts[i]).append(" inter 1s fall 3 rise 2\n");
			}
			try {
				Path file = Files.writeString(peer.directory.resolve("haproxy.cfg"), config);
				return List.of(binary.toString(), "-db", "-f", file.toString());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).start();
	}

	/**
	 * Prometheus scraping {@code /actuator/prometheus} on {@code managementPort} every second, its data in the peer's
	 * temporary directory.
	 */
	static LocalPeer prometheus(int managementPort) throws IOException {
		Path binary = Peers.require("prometheus", Path.of("/usr/bin/prometheus"));
		return new LocalPeer("prometheus", (peer) -> {
			String config = """
					global:
					  scrape_interval: 1s
					  evaluation_interval: 1s
					scrape_configs:
					  - job_name: sample-app
					    metrics_path: /actuator/prometheus
					    static_configs:
					      - targets: ['127.0.0.1:%d']
					""".formatted(managementPort);
			try {
				Path file = Files.writeString(peer.directory.resolve("prometheus.yml"), config);
				return List.of(binary.toString(), "--config.file=" + file,
						"--storage.tsdb.path=" + peer.directory.resolve("data"),
						"--web.listen-address=127.0.0.1:" + peer.port);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).start();
	}

	int port() {
		return this.port;
	}

	private LocalPeer start() {
		try {
			this.process = new ProcessBuilder(this.command.apply(this)).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("console.log").toFile())
				.start();
		}
		catch (IOException | RuntimeException ex) {
			close();
			throw (ex instanceof IOException io) ? new UncheckedIOException(io) : (RuntimeException) ex;
		}
		Process started = this.process;
		this.shutdownHook = new Thread(started::destroyForcibly, this.name + "-killer");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
		try {
			Awaitility.await(this.name + " accepting on port " + this.port)
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(20))
				.failFast(this.name + " exited", () -> !started.isAlive())
				.until(() -> accepts(this.port));
		}
		catch (RuntimeException ex) {
			String output = console();
			close();
			throw new IllegalStateException(ex.getMessage() + "; its output:\n" + output, ex);
		}
		return this;
	}

	private String console() {
		try {
			return Files.readString(this.directory.resolve("console.log"));
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	/** SIGKILL: open connections break, the port refuses new ones. */
	void kill() {
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException(this.name + " did not die");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
	}

	/** Start again on the same port after {@link #kill()}. */
	void restart() {
		start();
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		try {
			FileSystemUtils.deleteRecursively(this.directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
