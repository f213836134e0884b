package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * HAProxy (Debian package {@code haproxy}) on a free loopback port, in the foreground, balancing round robin over
 * nodes on loopback and checking {@code GET /actuator/health} on each node's management port; every response names
 * the node that answered in {@code X-Served-By} ({@code n1}, {@code n2}... in the order given).
 */
public final class HaProxy extends PeerProcess {

	private static final Path BINARY = Path.of("/usr/sbin/haproxy");

	private final int[] nodes;

	private final int[] managementPorts;

	/**
	 * @param nodes the nodes' ports
	 * @param managementPorts their management ports, in the same order
	 */
	public HaProxy(int[] nodes, int[] managementPorts) {
		super("haproxy");
		if (nodes.length != managementPorts.length) {
			throw new IllegalArgumentException("one management port per node");
		}
		this.nodes = nodes.clone();
		this.managementPorts = managementPorts.clone();
	}

	@Override
	protected List<String> prepare(Path directory, int port) throws IOException {
		Path binary = Peers.require("haproxy", BINARY);
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
		config.append("    bind 127.0.0.1:").append(port).append('\n').append("""
				    balance roundrobin
				    option httpchk GET /actuator/health
				    http-check expect status 200
				    http-response set-header X-Served-By %[srv_name]
				""");
		for (int i = 0; i < this.nodes.length; i++) {
			config.append("    server n").append(i + 1).append(" 127.0.0.1:").append(this.nodes[i])
				.append(" check port ").append(this.managementPorts[i]).append(" inter 1s fall 3 rise 2\n");
		}
		Path file = Files.writeString(directory.resolve("haproxy.cfg"), config);
		// -db: foreground, logging to the console.
		return List.of(binary.toString(), "-db", "-f", file.toString());
	}

	@Override
	protected Path logFile(Path directory) {
		return directory.resolve("console.log");
	}

	/** The port clients send their requests to. */
	public int port() {
		return address().getPort();
	}

}
