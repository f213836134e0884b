package dev.lighttpdboot.gateway;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Checks the backends of one pool in the background, so that the pool's state (and its health) says whether a
 * backend can serve even when no request comes:
 * <ul>
 * <li>a disabled backend is probed as soon as its disable-time has passed: success makes it active, failure rests
 * it for another disable-time (the same probe a request would otherwise be, taken by whichever comes first);</li>
 * <li>an active backend that answered no request for {@code interval} is checked too: a failure disables it, so a
 * backend that died while idle is not found out by the next user's request only.</li>
 * </ul>
 * Backends whose process is stopped (their supervisor knows better) and backends an operator disabled are left
 * alone; drained backends are still checked. Checks run on a timer of Reactor's parallel scheduler, each bounded
 * by {@code timeout}, never more than one per backend at a time, and never block: a check is a
 * {@link BackendProbe}, a connect by default.
 */
public final class BackendProber {

	private static final Log logger = LogFactory.getLog(BackendProber.class);

	private static final Duration MIN_TICK = Duration.ofMillis(50);

	private static final Duration MAX_TICK = Duration.ofSeconds(1);

	private final GatewayPool pool;

	private final List<BackendProbe> probes;

	private final Duration interval;

	private final Duration timeout;

	private final Duration tick;

	private final LongSupplier nanoClock;

	private final Scheduler scheduler;

	private final AtomicBoolean[] checking;

	private final long[] lastChecked;

	private final Disposable.Swap[] current;

	private volatile boolean stopped;

	private volatile @Nullable Disposable timer;

	/**
	 * Create a prober on Reactor's parallel scheduler and {@link System#nanoTime()}.
	 * @param pool the pool whose backends it checks
	 * @param probes one probe per backend, in the pool's order
	 * @param disableTime the pool's disable-time: disabled backends are probed within a quarter of it after it
	 * has passed
	 * @param interval how long an active backend may go without an answer before it is checked
	 * @param timeout how long one check may take before it counts as failed
	 */
	public BackendProber(GatewayPool pool, List<BackendProbe> probes, Duration disableTime, Duration interval,
			Duration timeout) {
		this(pool, probes, disableTime, interval, timeout, System::nanoTime, Schedulers.parallel());
	}

	BackendProber(GatewayPool pool, List<BackendProbe> probes, Duration disableTime, Duration interval,
			Duration timeout, LongSupplier nanoClock, Scheduler scheduler) {
		if (probes.size() != pool.backends().size()) {
			throw new IllegalArgumentException("pool '" + pool.name() + "' has " + pool.backends().size()
					+ " backends but " + probes.size() + " probes");
		}
		if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("interval and timeout must be positive");
		}
		this.pool = pool;
		this.probes = List.copyOf(probes);
		this.interval = interval;
		this.timeout = timeout;
		Duration shortest = (disableTime.compareTo(interval) < 0) ? disableTime : interval;
		Duration quarter = shortest.dividedBy(4);
		this.tick = (quarter.compareTo(MIN_TICK) < 0) ? MIN_TICK : (quarter.compareTo(MAX_TICK) > 0) ? MAX_TICK : quarter;
		this.nanoClock = nanoClock;
		this.scheduler = scheduler;
		this.checking = new AtomicBoolean[probes.size()];
		this.lastChecked = new long[probes.size()];
		this.current = new Disposable.Swap[probes.size()];
		for (int i = 0; i < this.checking.length; i++) {
			this.checking[i] = new AtomicBoolean();
			this.current[i] = Disposables.swap();
		}
	}

	/**
	 * Start checking: every backend at once, then on the timer.
	 */
	public synchronized void start() {
		if (this.timer != null || this.stopped) {
			return;
		}
		long now = this.nanoClock.getAsLong();
		for (int i = 0; i < this.lastChecked.length; i++) {
			// Due at once: a backend that is down when the application starts is found out before any request.
			this.lastChecked[i] = now - this.interval.toNanos();
		}
		this.timer = Flux.interval(Duration.ZERO, this.tick, this.scheduler)
			.onBackpressureDrop()
			.subscribe((ignored) -> round(), (ex) -> logger.error("Backend checks of pool '" + this.pool.name()
					+ "' stopped", ex));
	}

	/**
	 * Stop checking; checks under way are cancelled. Idempotent.
	 */
	public synchronized void stop() {
		this.stopped = true;
		Disposable timer = this.timer;
		if (timer != null) {
			timer.dispose();
		}
		for (Disposable.Swap check : this.current) {
			check.dispose();
		}
	}

	/**
	 * Return whether the timer runs.
	 */
	public boolean isRunning() {
		Disposable timer = this.timer;
		return timer != null && !timer.isDisposed();
	}

	private void round() {
		long now = this.nanoClock.getAsLong();
		for (int i = 0; i < this.probes.size(); i++) {
			PoolBackend backend = this.pool.backend(i);
			if (this.checking[i].get()) {
				continue;
			}
			if (backend.tryStartBackgroundProbe()) {
				check(i, backend, true);
			}
			else if (backend.state() == PoolBackend.State.ACTIVE && backend.hold() != PoolBackend.Hold.DISABLE
					&& Math.min(now - this.lastChecked[i], now - backend.lastAnsweredNanos()) >= this.interval.toNanos()) {
				check(i, backend, false);
			}
		}
	}

	private void check(int position, PoolBackend backend, boolean probing) {
		if (this.stopped || !this.checking[position].compareAndSet(false, true)) {
			if (probing) {
				backend.probeAbandoned();
			}
			return;
		}
		this.lastChecked[position] = this.nanoClock.getAsLong();
		Disposable check = this.probes.get(position)
			.check()
			.timeout(this.timeout, this.scheduler)
			.doFinally((signal) -> this.checking[position].set(false))
			.subscribe(null, (ex) -> {
				String reason = "check failed: " + describe(ex);
				if (logger.isDebugEnabled()) {
					logger.debug("Pool '" + this.pool.name() + "', backend " + backend.name() + ": "
							+ LogText.printable(reason));
				}
				backend.probeFailed(reason);
			}, () -> {
				if (probing) {
					backend.answered(BackendStateChangedEvent.Cause.CHECK);
				}
			});
		// The previous check of this backend is over (checking was false): replaced, not disposed.
		this.current[position].replace(check);
	}

	private String describe(Throwable ex) {
		if (ex instanceof TimeoutException) {
			return "no connection within " + this.timeout.toMillis() + " ms";
		}
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

}
