package dev.lighttpdboot.gateway.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.gateway.BackendProber;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.spawn.SpawnedBackends;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the processes that the gateway's pools spawn before the web server takes requests, and stops the pools
 * (their connections, then their processes) only after the web server has stopped: with
 * {@code server.shutdown=graceful}, the requests in flight finish first, within
 * {@code spring.lifecycle.timeout-per-shutdown-phase}.
 * <p>Its phase is below that of Spring Boot's web server ({@code WebServerStartStopLifecycle}, 2048 below the
 * default phase) and its graceful shutdown ({@code WebServerGracefulShutdownLifecycle}, 1024 below): lower phases
 * start earlier and stop later.
 */
final class GatewayLifecycle implements SmartLifecycle {

	/** Below the web server's start/stop phase, which is 1024 below its graceful-shutdown phase. */
	static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 2048;

	private static final Log logger = LogFactory.getLog(GatewayLifecycle.class);

	/** Longer than the stop of a pool's processes (about 8 s at most) and its connections (10 s at most). */
	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	private final List<GatewayPool> pools = new ArrayList<>();

	private final List<Spawn> spawns = new ArrayList<>();

	private final List<BackendProber> probers = new ArrayList<>();

	private volatile boolean running;

	/**
	 * Manage a pool: its connections are closed and its attached processes stopped on {@link #stop()}.
	 */
	synchronized void add(GatewayPool pool) {
		this.pools.add(pool);
	}

	/**
	 * Start a pool's processes on {@link #start()}.
	 */
	synchronized void add(GatewayPool pool, SpawnedBackends spawned) {
		this.spawns.add(new Spawn(pool, spawned));
	}

	/**
	 * Start checking a pool's backends on {@link #start()}, after its processes; stop on {@link #stop()}, before
	 * its connections are closed.
	 */
	synchronized void add(BackendProber prober) {
		this.probers.add(prober);
	}

	@Override
	public void start() {
		List<Spawn> toStart;
		synchronized (this) {
			toStart = List.copyOf(this.spawns);
		}
		List<Spawn> started = new ArrayList<>();
		for (Spawn spawn : toStart) {
			try {
				// No JVM shutdown hook: it would stop the processes while the web server still finishes requests.
				if (!spawn.spawned().start(false)) {
					logger.warn("Not every process of pool '" + spawn.pool().name()
							+ "' accepts connections yet; their backends take requests once they do");
				}
				started.add(spawn);
			}
			catch (RuntimeException ex) {
				// The failing pool stopped its own processes; those of the pools before it must not outlive it.
				started.forEach((done) -> done.spawned().stop());
				throw ex;
			}
		}
		List<BackendProber> probers;
		synchronized (this) {
			probers = List.copyOf(this.probers);
		}
		probers.forEach(BackendProber::start);
		this.running = true;
	}

	@Override
	public void stop() {
		List<GatewayPool> toStop;
		List<BackendProber> probers;
		synchronized (this) {
			toStop = List.copyOf(this.pools);
			probers = List.copyOf(this.probers);
		}
		// Checks stop first: a check of a backend being stopped would only disable it.
		probers.forEach(BackendProber::stop);
		try {
			Flux.fromIterable(toStop).flatMap(GatewayPool::dispose).then().block(STOP_TIMEOUT);
		}
		finally {
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private record Spawn(GatewayPool pool, SpawnedBackends spawned) {
	}

}
