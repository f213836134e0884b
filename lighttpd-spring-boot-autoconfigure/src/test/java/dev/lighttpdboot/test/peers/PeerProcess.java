package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import org.springframework.util.FileSystemUtils;

/**
 * A {@link FastCgiPeer} that is a Debian program run as a child process: a master that forks workers. Each run
 * gets its own temporary directory for configuration, logs and pid file, deleted on {@link #stop()}; the master's
 * output goes to a file there too, as an unread pipe would block it once full.
 */
public abstract class PeerProcess extends FastCgiPeer {

	private static final Duration STARTUP = Duration.ofSeconds(30);

	private static final Duration SHUTDOWN = Duration.ofSeconds(10);

	private final String name;

	private Path directory;

	private int port;

	private Process process;

	private Thread shutdownHook;

	protected PeerProcess(String name) {
		this.name = name;
	}

	/**
	 * Find the peer's files (calling {@link Peers#require}) and write its configuration into {@code directory}.
	 * @return the command line that runs the peer in the foreground, listening on {@code 127.0.0.1:port}
	 */
	protected abstract List<String> prepare(Path directory, int port) throws IOException;

	/** The file, in the run's directory, where the peer writes its log. */
	protected abstract Path logFile(Path directory);

	@Override
	public final void start() {
		if (isStarted()) {
			throw new IllegalStateException(this.name + " is already running");
		}
		try {
			this.directory = Files.createTempDirectory("lighttpd-" + this.name + "-");
			this.port = freePort();
			launch();
		}
		catch (IOException ex) {
			stop();
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Start the peer again on the same port after {@link #kill()}, as an operator restarting a crashed service.
	 */
	public final void restart() {
		assertStarted();
		if (this.process.isAlive()) {
			throw new IllegalStateException(this.name + " is still running");
		}
		Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		try {
			launch();
		}
		catch (IOException ex) {
			stop();
			throw new UncheckedIOException(ex);
		}
	}

	private void launch() throws IOException {
		try {
			List<String> command = prepare(this.directory, this.port);
			Path console = this.directory.resolve("console.log");
			this.process = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(console.toFile())
				.start();
			// A JVM that exits without afterAll (Ctrl-C, a crashed fork) must not leave the peer running either.
			Process started = this.process;
			this.shutdownHook = new Thread(() -> killTree(started), this.name + "-killer");
			Runtime.getRuntime().addShutdownHook(this.shutdownHook);
			awaitPort();
		}
		catch (RuntimeException | Error ex) {
			stop();
			throw ex;
		}
	}

	private void awaitPort() {
		try {
			Awaitility.await(this.name + " accepting on port " + this.port)
				.atMost(STARTUP)
				.pollInSameThread()
				.pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(20))
				.failFast(this.name + " exited", () -> !this.process.isAlive())
				.until(() -> accepts(this.port));
		}
		catch (ConditionTimeoutException | TerminalFailureException ex) {
			throw new IllegalStateException(ex.getMessage() + "; its output:\n" + output(), ex);
		}
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			// Closed at once without a byte, so a php-fpm worker that accepted it goes back to accept() instead of
			// waiting for a request.
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		// Another process may take the port before the peer binds it; the peer then exits and start() says so.
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Override
	public final void stop() {
		if (this.process != null) {
			List<ProcessHandle> workers = this.process.descendants().toList();
			// SIGTERM: php-fpm and uwsgi (with --die-on-term) stop their workers and exit.
			this.process.destroy();
			try {
				if (!this.process.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)) {
					this.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
			workers.forEach(ProcessHandle::destroyForcibly);
			awaitDeath(this.process.toHandle(), workers);
			this.process = null;
		}
		if (this.shutdownHook != null) {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
			this.shutdownHook = null;
		}
		if (this.directory != null) {
			try {
				FileSystemUtils.deleteRecursively(this.directory);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.directory = null;
		}
	}

	/**
	 * SIGKILL the master and its workers at once, for fault injection: open connections break without an
	 * END_REQUEST and the port refuses new ones. The peer stays dead; {@link #stop()} still cleans up.
	 */
	public void kill() {
		assertStarted();
		List<ProcessHandle> workers = killTree(this.process);
		awaitDeath(this.process.toHandle(), workers);
	}

	private static List<ProcessHandle> killTree(Process process) {
		// Listed before the master dies: orphaned workers are re-parented and no longer its descendants.
		List<ProcessHandle> workers = process.descendants().toList();
		process.destroyForcibly();
		workers.forEach(ProcessHandle::destroyForcibly);
		return workers;
	}

	private static void awaitDeath(ProcessHandle master, List<ProcessHandle> workers) {
		Awaitility.await("process " + master.pid() + " and its workers gone")
			.atMost(SHUTDOWN)
			.pollInSameThread()
			.pollInterval(Duration.ofMillis(20))
			.until(() -> !isRunning(master) && workers.stream().noneMatch(PeerProcess::isRunning));
	}

	/**
	 * Whether {@code process} still runs. A killed worker whose master is gone stays a zombie until the init
	 * process reaps it, which in some containers takes a second or more; {@link ProcessHandle#isAlive()} counts
	 * such a zombie as alive, this method does not.
	 */
	public static boolean isRunning(ProcessHandle process) {
		if (!process.isAlive()) {
			return false;
		}
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
			// "pid (command) state ...": the command may contain spaces and parentheses, the state follows the last ')'.
			return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
		}
		catch (IOException ex) {
			// Reaped between the two checks.
			return false;
		}
	}

	@Override
	public final boolean isStarted() {
		return this.process != null;
	}

	@Override
	public InetSocketAddress address() {
		assertStarted();
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port);
	}

	/** The master's process id. */
	public long pid() {
		assertStarted();
		return this.process.pid();
	}

	/** The process ids of the live workers, e.g. to see that a worker was replaced. */
	public List<Long> workerPids() {
		assertStarted();
		return this.process.descendants().filter(PeerProcess::isRunning).map(ProcessHandle::pid).toList();
	}

	/** The peer's log so far, for assertions about what the workers wrote to their STDERR. */
	public String errorLog() {
		assertStarted();
		return read(logFile(this.directory));
	}

	/** The run's temporary directory, deleted on {@link #stop()}. */
	protected Path directory() {
		assertStarted();
		return this.directory;
	}

	private String output() {
		String log = read(logFile(this.directory));
		String console = read(this.directory.resolve("console.log"));
		return log.equals(console) ? log : log + console;
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void assertStarted() {
		if (!isStarted()) {
			throw new IllegalStateException(this.name + " is not running");
		}
	}

}
