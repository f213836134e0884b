package dev.lighttpdboot.gateway.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One slot of a {@link SpawnedBackends}: the successive processes that listen on one socket. Everything but
 * {@link #state()}, {@link #current()}, {@link #orphans()} and {@link #takeReady()} runs on the supervisor's single
 * thread, so the slot's life is a sequence (spawn, probe until ready, exit, back-off, spawn again) without races
 * between its steps; the fields are still guarded by the supervisor's lock because {@link SpawnedBackends#stop()}
 * and snapshots read them from other threads.
 */
final class SupervisedProcess {

	private static final Log logger = LogFactory.getLog(SpawnedBackends.class);

	/** The first wait between readiness probes; doubled up to {@link #MAX_PROBE_DELAY}. */
	private static final long FIRST_PROBE_DELAY_MILLIS = 5;

	private static final long MAX_PROBE_DELAY_MILLIS = 200;

	/** A process that ran this long before it exited counts as stable: its back-off starts over. */
	static final Duration STABLE_RUN = Duration.ofSeconds(10);

	/**
	 * How long workers orphaned by a crashed master get after SIGTERM before SIGKILL: a php-cgi worker finishes
	 * the connection it serves first, and a pool's idle keep-alive connection keeps it until SIGKILL.
	 */
	private static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);

	private final String name;

	private final int index;

	private final Path socket;

	private final String address;

	private final SpawnSpec spec;

	private final ScheduledExecutorService executor;

	private final Object lock;

	private final BooleanSupplier stopping;

	private final SpawnedBackends.Listener events;

	private final CompletableFuture<Void> firstReady = new CompletableFuture<>();

	// Guarded by lock.
	private @Nullable Process process;

	private long generation;

	private boolean ready;

	private int restarts;

	private int failures;

	private int lastExitCode = -1;

	private @Nullable Instant startedAt;

	/** For the run length: {@link #startedAt} follows the wall clock, which may step. */
	private long startedNanos;

	/**
	 * Workers of exited masters that got SIGTERM and wait for their SIGKILL: {@link SpawnedBackends#stop()} ends
	 * them too, since it drops the scheduled SIGKILL and they are in the group of no current process.
	 */
	private final Set<ProcessHandle> orphans = new HashSet<>();

	SupervisedProcess(String pool, int index, Path socket, SpawnSpec spec, ScheduledExecutorService executor,
			Object lock, BooleanSupplier stopping, SpawnedBackends.Listener events) {
		this.name = pool + "-" + index;
		this.index = index;
		this.socket = socket;
		this.address = "unix:" + socket;
		this.spec = spec;
		this.executor = executor;
		this.lock = lock;
		this.stopping = stopping;
		this.events = events;
	}

	String address() {
		return this.address;
	}

	/** Completes when the first process of this slot accepts connections. */
	CompletableFuture<Void> firstReady() {
		return this.firstReady;
	}

	/**
	 * Start a process on this slot's socket and begin probing it.
	 * @throws IOException if the command cannot be run
	 */
	void spawn() throws IOException {
		Process started;
		long startedGeneration;
		synchronized (this.lock) {
			// Under the lock, so that stop() either sees this process or prevents it.
			if (this.stopping.getAsBoolean()) {
				return;
			}
			// The last process's socket file would make the next bind fail with EADDRINUSE.
			Files.deleteIfExists(this.socket);
			ProcessBuilder builder = new ProcessBuilder(this.spec.commandFor(this.socket));
			builder.environment().putAll(this.spec.environment());
			started = builder.start();
			if (this.generation > 0) {
				this.restarts++;
			}
			this.process = started;
			startedGeneration = ++this.generation;
			this.ready = false;
			this.startedAt = Instant.now();
			this.startedNanos = System.nanoTime();
		}
		logger.info("Started " + this.name + " (pid " + started.pid() + ") on " + this.socket);
		// Nothing is ever written to the child's stdin: closing it gives a child that reads it EOF, not a hang.
		started.getOutputStream().close();
		OutputPump.start(started.getInputStream(), "lighttpd-spawn-" + this.name + "-stdout",
				(line) -> logger.info("[" + this.name + "] " + line));
		OutputPump.start(started.getErrorStream(), "lighttpd-spawn-" + this.name + "-stderr",
				(line) -> logger.warn("[" + this.name + "] " + line));
		started.onExit().thenRunAsync(() -> exited(startedGeneration, started), this.executor);
		long deadline = System.nanoTime() + this.spec.readyTimeout().toNanos();
		schedule(() -> probe(startedGeneration, deadline, FIRST_PROBE_DELAY_MILLIS), 0);
	}

	private void probe(long probedGeneration, long deadline, long delayMillis) {
		Process probed;
		synchronized (this.lock) {
			probed = this.process;
			if (isStale(probedGeneration) || probed == null || !probed.isAlive()) {
				// A dead process is handled by exited().
				return;
			}
		}
		if (UnixSocketProbe.accepts(this.socket)) {
			synchronized (this.lock) {
				if (isStale(probedGeneration)) {
					return;
				}
				this.ready = true;
			}
			logger.info(this.name + " (pid " + probed.pid() + ") accepts connections");
			this.events.up(this.index, this.address);
			this.firstReady.complete(null);
		}
		else if (System.nanoTime() - deadline >= 0) {
			logger.warn(this.name + " (pid " + probed.pid() + ") did not accept connections on " + this.socket
					+ " within " + this.spec.readyTimeout() + "; killing it");
			ProcessTree.kill(ProcessTree.members(probed.toHandle()));
		}
		else {
			long next = Math.min(delayMillis * 2, MAX_PROBE_DELAY_MILLIS);
			schedule(() -> probe(probedGeneration, deadline, next), delayMillis);
		}
	}

	private void exited(long exitedGeneration, Process exited) {
		int code = exited.exitValue();
		boolean wasUp;
		Duration ran;
		Duration delay;
		synchronized (this.lock) {
			if (isStale(exitedGeneration)) {
				return;
			}
			wasUp = this.ready;
			this.ready = false;
			this.lastExitCode = code;
			ran = Duration.ofNanos(System.nanoTime() - this.startedNanos);
			if (ran.compareTo(STABLE_RUN) >= 0) {
				this.failures = 0;
			}
			this.failures++;
			delay = this.spec.backoff(this.failures);
		}
		logger.warn(this.name + " (pid " + exited.pid() + ") exited with code " + code + " after "
				+ ran.toMillis() + " ms; restarting it in " + delay.toMillis() + " ms");
		if (wasUp) {
			this.events.down(this.index, this.address, "process exited with code " + code);
		}
		// Workers of a master that died by a signal still run, detached from the JVM (see ProcessTree).
		Set<ProcessHandle> left = ProcessTree.members(exited.toHandle());
		if (!left.isEmpty()) {
			logger.warn("Stopping " + left.size() + " process(es) left behind by " + this.name);
			synchronized (this.lock) {
				this.orphans.addAll(left);
			}
			left.forEach(ProcessHandle::destroy);
			schedule(() -> killOrphans(left), ORPHAN_GRACE.toMillis());
		}
		schedule(this::respawn, delay.toMillis());
	}

	private void killOrphans(Set<ProcessHandle> due) {
		synchronized (this.lock) {
			this.orphans.removeAll(due);
		}
		ProcessTree.kill(due.stream().filter(ProcessTree::isRunning).toList());
	}

	private void respawn() {
		try {
			spawn();
		}
		catch (IOException ex) {
			Duration delay;
			synchronized (this.lock) {
				this.failures++;
				delay = this.spec.backoff(this.failures);
			}
			logger.warn("Cannot restart " + this.name + " (" + ex.getMessage() + "); trying again in "
					+ delay.toMillis() + " ms");
			schedule(this::respawn, delay.toMillis());
		}
	}

	private boolean isStale(long observedGeneration) {
		return this.stopping.getAsBoolean() || observedGeneration != this.generation;
	}

	private void schedule(Runnable task, long delayMillis) {
		try {
			this.executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopped meanwhile: stop() takes care of the processes.
		}
	}

	/** The last process started on this slot, running or not, or null if none was. */
	@Nullable Process current() {
		synchronized (this.lock) {
			return this.process;
		}
	}

	/** Workers of exited masters not killed yet (stop() ends them with the current process). */
	Set<ProcessHandle> orphans() {
		synchronized (this.lock) {
			return Set.copyOf(this.orphans);
		}
	}

	/** Whether the slot's process accepts connections; {@code false} from now on (stop() calls it). */
	boolean takeReady() {
		synchronized (this.lock) {
			boolean was = this.ready;
			this.ready = false;
			return was;
		}
	}

	ProcessState state() {
		synchronized (this.lock) {
			Process process = this.process;
			boolean running = process != null && process.isAlive();
			long pid = (process != null && running) ? process.pid() : -1;
			return new ProcessState(this.index, this.address, pid, running, this.ready,
					this.restarts, this.lastExitCode, this.startedAt);
		}
	}

}
