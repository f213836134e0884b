package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * redis-server (Debian package {@code redis-server}) on a free loopback port, in the foreground, with neither
 * snapshots nor an append-only file: a restart after {@link #kill()} starts empty, as a Redis without persistence
 * does. {@code DEBUG} is allowed from loopback so that a test can make it slow ({@code DEBUG SLEEP}).
 *
 * <pre>
 * &#64;RegisterExtension
 * final RedisServer redis = new RedisServer();
 * </pre>
 */
public final class RedisServer extends PeerProcess {

	private static final Path BINARY = Path.of("/usr/bin/redis-server");

	public RedisServer() {
		super("redis-server");
	}

	@Override
	protected List<String> prepare(Path directory, int port) throws IOException {
		Path binary = Peers.require("redis-server", BINARY);
		return List.of(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
				"--appendonly", "no", "--dir", directory.toString(), "--logfile", logFile(directory).toString(),
				"--daemonize", "no", "--enable-debug-command", "local");
	}

	@Override
	protected Path logFile(Path directory) {
		return directory.resolve("redis.log");
	}

	/** The port, for {@code spring.data.redis.port}. */
	public int port() {
		return address().getPort();
	}

}
