package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * uwsgi (Debian packages {@code uwsgi} and {@code uwsgi-plugin-python3}) serving {@code echo_app.py} over a
 * FastCGI socket (or, from {@link #scgiOnFreePort()}, an SCGI socket) on a free loopback port. The application answers every request with a JSON echo of what arrived;
 * see {@link EchoContract} for the fields, {@code ?status=N} and {@code ?stream=N}.
 */
public final class Uwsgi extends PeerProcess {

	private static final Path BINARY = Path.of("/usr/bin/uwsgi");

	private static final Path PYTHON_PLUGIN = Path.of("/usr/lib/uwsgi/plugins/python3_plugin.so");

	private int processes = 2;

	private final String socketOption;

	private Uwsgi(String socketOption) {
		super("uwsgi");
		this.socketOption = socketOption;
	}

	/** uwsgi with two worker processes, speaking FastCGI. */
	public static Uwsgi onFreePort() {
		return new Uwsgi("--fastcgi-socket");
	}

	/** uwsgi with two worker processes, speaking SCGI. */
	public static Uwsgi scgiOnFreePort() {
		return new Uwsgi("--scgi-socket");
	}

	/**
	 * Return the command line of a uwsgi serving the echo application over SCGI, with {@code {address}} for the
	 * socket, as a route's {@code spawn.command} takes it; the application is copied into the directory.
	 * @param directory where the application is put
	 */
	public static List<String> scgiSpawnCommand(Path directory) throws IOException {
		Path binary = Peers.require("uwsgi", BINARY);
		Peers.require("uwsgi-plugin-python3", PYTHON_PLUGIN);
		Path app = copyApplication(directory);
		return List.of(binary.toString(), "--strict", "--plugin", "python3", "--scgi-socket", "{address}",
				"--wsgi-file", app.toString(), "--need-app", "--master", "--processes", "1", "--die-on-term");
	}

	private static Path copyApplication(Path directory) throws IOException {
		Path app = directory.resolve("echo_app.py");
		try (InputStream source = Uwsgi.class.getResourceAsStream("echo_app.py")) {
			Files.copy(source, app);
		}
		return app;
	}

	/** The number of worker processes; 2 unless set. */
	public Uwsgi processes(int processes) {
		if (isStarted()) {
			throw new IllegalStateException("uwsgi is running; configure it before it starts");
		}
		this.processes = processes;
		return this;
	}

	@Override
	protected List<String> prepare(Path directory, int port) throws IOException {
		Path binary = Peers.require("uwsgi", BINARY);
		Peers.require("uwsgi-plugin-python3", PYTHON_PLUGIN);
		Path app = copyApplication(directory);
		return List.of(binary.toString(), "--strict", "--plugin", "python3", this.socketOption, "127.0.0.1:" + port,
				"--wsgi-file", app.toString(), "--need-app", "--master", "--processes", String.valueOf(this.processes),
				// Without it SIGTERM means "reload" to uwsgi 2.0, and stop() would wait for nothing.
				"--die-on-term",
				// The default 4 KiB would reject the large PARAMS blocks that header tests send.
				"--buffer-size", "65535");
	}

	@Override
	protected Path logFile(Path directory) {
		// uwsgi logs to its STDERR, which PeerProcess sends to this file.
		return directory.resolve("console.log");
	}

}
