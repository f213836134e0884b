package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * puma (Debian packages {@code puma} and {@code ruby-rack}) serving {@code echo_app.ru} over HTTP on a free loopback
 * port. The Rack application answers every request with a JSON echo of what arrived (method, raw target, headers,
 * body length and digest, and the port of the connection it came on); {@code ?status=N}, {@code ?stream=N} (as
 * {@link Echo#streamed(int)}, chunked), {@code ?sendfile=PATH} and {@code ?hop=1} (hop-by-hop headers in the
 * answer) change the answer.
 */
public final class Puma extends PeerProcess {

	private static final Path BINARY = Path.of("/usr/bin/puma");

	private static final Path RACK = Path.of("/usr/share/rubygems-integration/all/gems/rack-2.2.22/lib/rack.rb");

	private Puma() {
		super("puma");
	}

	/** puma in single mode with four threads. */
	public static Puma onFreePort() {
		return new Puma();
	}

	/**
	 * Return the command line of a puma serving the echo application on a Unix-domain socket, with
	 * {@code {address}} for the socket path, as a route's {@code spawn.command} takes it; the application is
	 * copied into the directory.
	 * @param directory where the application is put
	 */
	public static List<String> spawnCommand(Path directory) throws IOException {
		Path binary = requireInstalled();
		Path app = copyApplication(directory);
		return List.of(binary.toString(), "--environment", "production", "--threads", "4:4", "--bind",
				"unix://{address}", app.toString());
	}

	private static Path requireInstalled() {
		Path binary = Peers.require("puma", BINARY);
		// Debian's ruby-rack installs under a versioned gem directory.
		Peers.require("ruby-rack", rackLibrary());
		return binary;
	}

	private static Path rackLibrary() {
		Path gems = Path.of("/usr/share/rubygems-integration/all/gems");
		if (!Files.isDirectory(gems)) {
			return RACK;
		}
		try (var entries = Files.list(gems)) {
			return entries.filter((entry) -> entry.getFileName().toString().startsWith("rack-"))
				.map((entry) -> entry.resolve("lib/rack.rb"))
				.filter(Files::isRegularFile)
				.findFirst()
				.orElse(RACK);
		}
		catch (IOException ex) {
			return RACK;
		}
	}

	private static Path copyApplication(Path directory) throws IOException {
		Path app = directory.resolve("echo_app.ru");
		try (InputStream source = Puma.class.getResourceAsStream("echo_app.ru")) {
			Files.copy(source, app);
		}
		return app;
	}

	@Override
	protected List<String> prepare(Path directory, int port) throws IOException {
		Path binary = requireInstalled();
		Path app = Files.exists(directory.resolve("echo_app.ru")) ? directory.resolve("echo_app.ru")
				: copyApplication(directory);
		// production: no Rack::Lint, which would refuse the hop-by-hop headers that ?hop=1 answers with.
		return List.of(binary.toString(), "--environment", "production", "--threads", "4:4", "--bind",
				"tcp://127.0.0.1:" + port, app.toString());
	}

	@Override
	protected Path logFile(Path directory) {
		// puma logs to its standard output, which PeerProcess sends to this file.
		return directory.resolve("console.log");
	}

}
