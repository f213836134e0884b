package dev.lighttpdboot.gateway.spawn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.FileSystemUtils;

/**
 * The local processes of one pool (lighttpd's {@code bin-path}): started from a {@link SpawnSpec}, each on its own
 * Unix-domain socket in a private directory, restarted with back-off when they exit, and stopped, workers
 * included, when the pool is closed or the JVM shuts down.
 *
 * <pre>
 * SpawnedBackends spawned = new SpawnedBackends("php", SpawnSpec.of(List.of("php-cgi", "-b", "{address}"), 2)
 * 	.withEnvironment(Map.of("PHP_FCGI_CHILDREN", "4")));
 * // one backend per address, all disabled until up() says otherwise
 * spawned.addListener(listener);
 * spawned.start(); // blocks until every process accepts connections, or the ready timeout
 * ...
 * spawned.close();
 * </pre>
 *
 * <h2>Sockets</h2> The constructor creates a directory that only the JVM's user may enter (0700), so no other
 * user can connect to the backends or replace a socket; process {@code n} listens on
 * {@code <directory>/<pool>-<n>.sock}. {@link #addresses()} names them as {@code unix:/path}, the syntax of
 * {@code BackendAddress.parse}. A socket path has at most 107 bytes, so a long {@code java.io.tmpdir} is refused.
 *
 * <h2>Supervision</h2> One daemon thread, {@code lighttpd-spawn-<pool>}, runs every step: it starts a process,
 * probes its socket with growing pauses (5 ms to 200 ms) until it accepts a connection ({@link Listener#up}) or the
 * ready timeout passes (the process is killed and counts as failed), and learns of its exit through
 * {@link Process#onExit()} ({@link Listener#down} if it was up). The next start waits for a back-off that doubles
 * from {@link SpawnSpec#minBackoff()} to {@link SpawnSpec#maxBackoff()} with every exit after a run shorter than
 * 10 s, and starts over after a longer run. Workers that a master leaves behind when it dies by a signal
 * (php-cgi's, which outlive it) get SIGTERM before the restart, and SIGKILL 5 s later (or at {@link #stop()}) if
 * they still run. The children's stdout is logged at INFO and
 * their stderr at WARN, one line at a time, under this class's logger, prefixed with {@code [<pool>-<n>]}.
 *
 * <h2>Shutdown</h2> {@link #stop()} sends SIGTERM to every process and its workers, waits up to 5 s, sends SIGKILL
 * to what is left, and deletes the sockets and the directory. A JVM shutdown hook does the same when the JVM is
 * stopped by SIGTERM, SIGINT or {@code System.exit}, unless it was started with {@link #start(boolean) start(false)}
 * (an application context stops them instead, after its web server). Nothing covers SIGKILL of the JVM (or a JVM crash): the
 * processes are then re-parented to init and keep running. php-cgi does not notice: with
 * {@code PHP_FCGI_CHILDREN} it calls {@code setsid()}, so no hang-up reaches it, it sets no parent-death signal,
 * and it keeps serving on its socket; it would only die of SIGPIPE when it next wrote to its stdout or stderr,
 * which it rarely does. A service manager that kills the whole control group (systemd's default
 * {@code KillMode=control-group}, a container's end) covers that case.
 * <p>{@link #start()} and {@link #stop()} block: call them at application start-up and shutdown, never on an
 * event loop.
 */
public final class SpawnedBackends implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(SpawnedBackends.class);

	/** How long processes get after SIGTERM before SIGKILL. */
	static final Duration STOP_GRACE = Duration.ofSeconds(5);

	/** sun_path holds 108 bytes with the terminating NUL. */
	private static final int MAX_SOCKET_PATH_BYTES = 107;

	private final String pool;

	private final SpawnSpec spec;

	private final Path directory;

	private final List<SupervisedProcess> processes;

	private final ScheduledExecutorService executor;

	private final List<Listener> listeners = new CopyOnWriteArrayList<>();

	private final Object lock = new Object();

	private final CompletableFuture<Void> stopped = new CompletableFuture<>();

	// Guarded by lock.
	private boolean started;

	private volatile boolean stopping;

	private @Nullable Thread shutdownHook;

	/**
	 * Create the private socket directory of a pool; no process starts before {@link #start()}.
	 * @param pool the pool's name, used in file, thread and log names
	 * @param spec what to run
	 * @throws UncheckedIOException if the directory cannot be created
	 * @throws IllegalStateException if a socket path would be too long for a Unix-domain socket
	 */
	public SpawnedBackends(String pool, SpawnSpec spec) {
		this.pool = Objects.requireNonNull(pool, "pool");
		this.spec = Objects.requireNonNull(spec, "spec");
		String fileName = pool.replaceAll("[^A-Za-z0-9._-]", "_");
		this.directory = createDirectory(fileName);
		String threadName = "lighttpd-spawn-" + pool;
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, threadName);
			thread.setDaemon(true);
			return thread;
		});
		Listener events = new Dispatcher();
		List<SupervisedProcess> slots = new ArrayList<>(spec.processes());
		for (int index = 0; index < spec.processes(); index++) {
			Path socket = this.directory.resolve(fileName + "-" + index + ".sock");
			if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
				deleteDirectory();
				this.executor.shutdownNow();
				throw new IllegalStateException("The socket path " + socket + " is longer than "
						+ MAX_SOCKET_PATH_BYTES + " bytes; set java.io.tmpdir to a shorter directory");
			}
			slots.add(new SupervisedProcess(pool, index, socket, spec, this.executor, this.lock,
					() -> this.stopping, events));
		}
		this.processes = List.copyOf(slots);
	}

	private static Path createDirectory(String fileName) {
		try {
			return Files.createTempDirectory("lighttpd-spawn-" + fileName + "-",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a directory for the sockets of spawned processes", ex);
		}
	}

	/** The pool's name. */
	public String pool() {
		return this.pool;
	}

	/** What this runs. */
	public SpawnSpec spec() {
		return this.spec;
	}

	/** The private directory holding the sockets; deleted by {@link #stop()}. */
	public Path directory() {
		return this.directory;
	}

	/**
	 * The backend addresses, {@code unix:/path}, one per process in index order; they never change, also across
	 * restarts.
	 */
	public List<String> addresses() {
		return this.processes.stream().map(SupervisedProcess::address).toList();
	}

	/**
	 * Receive each backend's transitions. Add listeners before {@link #start()} to see every one; a listener added
	 * later sees only later ones (compare {@link #states()}).
	 */
	public void addListener(Listener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * Start every process and wait until each accepts connections or {@link SpawnSpec#readyTimeout()} passed; the
	 * ones not ready yet keep being supervised and report {@link Listener#up} when they are.
	 * @return whether every process accepts connections
	 * @throws SpawnException if the command cannot be run at all; nothing is left running then
	 * @throws IllegalStateException if already started or stopped
	 */
	public boolean start() {
		return start(true);
	}

	/**
	 * Start every process, as {@link #start()} does, with or without a JVM shutdown hook that stops them.
	 * Without one, whoever manages this object must call {@link #stop()}: an application context does, after its
	 * web server has finished the requests in flight, whereas a hook of its own would stop the processes at the
	 * same moment as the server begins its graceful shutdown.
	 * @param shutdownHook whether to stop the processes when the JVM shuts down
	 * @return whether every process accepts connections
	 * @throws SpawnException if the command cannot be run at all; nothing is left running then
	 * @throws IllegalStateException if already started or stopped
	 */
	public boolean start(boolean shutdownHook) {
		synchronized (this.lock) {
			if (this.stopping) {
				throw new IllegalStateException("The processes of pool " + this.pool + " were stopped");
			}
			if (this.started) {
				throw new IllegalStateException("The processes of pool " + this.pool + " were started already");
			}
			this.started = true;
			if (shutdownHook) {
				this.shutdownHook = new Thread(this::stop, "lighttpd-spawn-" + this.pool + "-shutdown");
				Runtime.getRuntime().addShutdownHook(this.shutdownHook);
			}
		}
		try {
			List<Future<?>> spawns = new ArrayList<>();
			for (SupervisedProcess process : this.processes) {
				spawns.add(this.executor.submit(() -> {
					process.spawn();
					return null;
				}));
			}
			for (Future<?> spawn : spawns) {
				spawn.get();
			}
			CompletableFuture.allOf(this.processes.stream()
				.map(SupervisedProcess::firstReady)
				.toArray(CompletableFuture[]::new)).get(this.spec.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (ExecutionException ex) {
			stop();
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new SpawnException("Cannot start " + this.spec.command() + " for pool " + this.pool + ": "
					+ cause.getMessage(), cause, this.pool, this.spec.command());
		}
		catch (TimeoutException ex) {
			logger.warn("Not every process of pool " + this.pool + " accepts connections after "
					+ this.spec.readyTimeout() + "; they stay disabled until they do");
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (RejectedExecutionException ex) {
			// stop() was called meanwhile.
			return false;
		}
	}

	/** A snapshot of every process, in index order. */
	public List<ProcessState> states() {
		return this.processes.stream().map(SupervisedProcess::state).toList();
	}

	/**
	 * Stop restarting, report every backend that was up as down, SIGTERM every process and its workers, SIGKILL
	 * what still runs after 5 s, and delete the sockets and their directory. Idempotent; a second caller waits
	 * until the first is done. Blocks up to about 8 s (1 s for the supervisor thread's last step, 5 s of grace,
	 * 2 s after SIGKILL).
	 */
	public void stop() {
		boolean first;
		synchronized (this.lock) {
			first = !this.stopping;
			this.stopping = true;
		}
		if (!first) {
			awaitStopped();
			return;
		}
		long begin = System.nanoTime();
		try {
			this.executor.shutdownNow();
			removeShutdownHook();
			// The supervisor thread may be finishing a step (a probe that is about to report up): let it end, so
			// that the downs below are the last events.
			this.executor.awaitTermination(1, TimeUnit.SECONDS);
			Set<ProcessHandle> handles = everyProcess();
			for (int index = 0; index < this.processes.size(); index++) {
				SupervisedProcess process = this.processes.get(index);
				if (process.takeReady()) {
					fireDown(index, process.address(), "stopped");
				}
			}
			List<ProcessHandle> left = ProcessTree.terminate(handles, STOP_GRACE);
			if (!left.isEmpty()) {
				logger.warn("Processes of pool " + this.pool + " still run after SIGKILL: "
						+ left.stream().map(ProcessHandle::pid).toList());
			}
			else if (!handles.isEmpty()) {
				logger.info("Stopped the " + handles.size() + " process(es) of pool " + this.pool + " in "
						+ Duration.ofNanos(System.nanoTime() - begin).toMillis() + " ms");
			}
			deleteDirectory();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			ProcessTree.kill(everyProcess());
			deleteDirectory();
		}
		finally {
			this.stopped.complete(null);
		}
	}

	/** Every process of the pool: the current ones with their workers, and workers of exited masters still running. */
	private Set<ProcessHandle> everyProcess() {
		Set<ProcessHandle> handles = new LinkedHashSet<>();
		for (SupervisedProcess process : this.processes) {
			Process current = process.current();
			if (current != null) {
				handles.addAll(ProcessTree.members(current.toHandle()));
			}
			handles.addAll(process.orphans());
		}
		return handles;
	}

	/** {@link #stop()}. */
	@Override
	public void close() {
		stop();
	}

	private void awaitStopped() {
		try {
			this.stopped.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			// Never completed exceptionally.
		}
	}

	private void removeShutdownHook() {
		Thread hook;
		synchronized (this.lock) {
			hook = this.shutdownHook;
			this.shutdownHook = null;
		}
		if (hook != null && Thread.currentThread() != hook) {
			try {
				Runtime.getRuntime().removeShutdownHook(hook);
			}
			catch (IllegalStateException ex) {
				// The JVM is shutting down: the hook runs (or ran) and finds this stop in progress or done.
			}
		}
	}

	private void deleteDirectory() {
		try {
			FileSystemUtils.deleteRecursively(this.directory);
		}
		catch (IOException ex) {
			logger.warn("Cannot delete " + this.directory, ex);
		}
	}

	private void fireDown(int index, String address, String reason) {
		for (Listener listener : this.listeners) {
			try {
				listener.down(index, address, reason);
			}
			catch (RuntimeException ex) {
				logger.error("Listener of pool " + this.pool + " failed on down(" + index + ")", ex);
			}
		}
	}

	/**
	 * Learns when a spawned backend starts or stops accepting connections, so that its pool routes requests to it
	 * only meanwhile. A backend is down until its first {@code up}. Calls come from the supervisor thread (or from
	 * the thread that calls {@link #stop()}), one at a time per backend; they must not block.
	 */
	public interface Listener {

		/**
		 * The backend's process ended (or is being stopped): disable it until {@link #up}.
		 * @param index the process's position in {@link SpawnedBackends#addresses()}
		 * @param address its address, {@code unix:/path}
		 * @param reason why, for the log, e.g. {@code process exited with code 137}
		 */
		void down(int index, String address, String reason);

		/**
		 * The backend's (new) process accepts connections: enable it.
		 * @param index the process's position in {@link SpawnedBackends#addresses()}
		 * @param address its address, {@code unix:/path}
		 */
		void up(int index, String address);

	}

	private final class Dispatcher implements Listener {

		@Override
		public void down(int index, String address, String reason) {
			fireDown(index, address, reason);
		}

		@Override
		public void up(int index, String address) {
			for (Listener listener : SpawnedBackends.this.listeners) {
				try {
					listener.up(index, address);
				}
				catch (RuntimeException ex) {
					logger.error("Listener of pool " + SpawnedBackends.this.pool + " failed on up(" + index + ")", ex);
				}
			}
		}

	}

}
