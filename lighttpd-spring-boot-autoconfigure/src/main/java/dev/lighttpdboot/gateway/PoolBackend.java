package dev.lighttpdboot.gateway;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import dev.lighttpdboot.gateway.balancer.BalancedBackend;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One backend of a {@link GatewayPool} with what the pool knows of it: whether it may take requests, how many it
 * has, and what became of them.
 * <p>Its life follows lighttpd's gateway backends:
 * <ul>
 * <li>{@link State#ACTIVE}: takes requests.</li>
 * <li>{@link State#DISABLED}: a connection failed or the backend was overloaded; no request goes there until its
 * disable-time has passed.</li>
 * <li>{@link State#PROBING}: the disable-time has passed and exactly one request is on its way to find out
 * whether the backend is back; success makes it active, failure disables it again.</li>
 * <li>{@link State#STOPPED}: its process (spawned by the pool) is not running; it comes back when the process
 * accepts connections again.</li>
 * </ul>
 * A {@link BackendProber} may find out the same in the background: it takes the probe of a disabled backend whose
 * disable-time has passed, and checks active backends between requests.
 * <p>An operator may put a {@link Hold} on a backend (the actuator endpoint's write operations): no new request
 * goes there while the hold lasts, whatever its state; requests in flight finish.
 * State changes are logged once each, never once per request, and told to the {@link BackendStateListener} as
 * {@link BackendStateChangedEvent}s: a backend disabled after a failure or a failed check, active again, its
 * process stopped or started, an operator's hold put or lifted. The probes of a resting backend are not: one that
 * fails leaves it disabled, one that succeeds is its change back to active.
 */
public final class PoolBackend implements BalancedBackend {

	private static final Log logger = LogFactory.getLog(PoolBackend.class);

	/**
	 * Whether a backend takes requests.
	 */
	public enum State {

		/** Takes requests. */
		ACTIVE,

		/** Rests for its disable-time after a failure. */
		DISABLED,

		/** One request is finding out whether it is back. */
		PROBING,

		/** Its local process is not running. */
		STOPPED

	}

	/**
	 * An operator's hold on a backend, on top of its {@link State}.
	 */
	public enum Hold {

		/** No hold: the state alone decides. */
		NONE,

		/** No new request; requests in flight finish; probes go on, so the state still says whether it is up. */
		DRAIN,

		/** No new request and no probe until enabled again; requests in flight finish. */
		DISABLE

	}

	private final String pool;

	private final int position;

	private final int weight;

	private final GatewayBackend backend;

	private final String id;

	private final long disableNanos;

	private final LongSupplier nanoClock;

	private final BackendStateListener listener;

	private final AtomicReference<State> state = new AtomicReference<>(State.ACTIVE);

	private volatile long disabledUntil;

	private volatile @Nullable String lastFailure;

	private volatile Hold hold = Hold.NONE;

	private volatile long lastAnswered;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final LongAdder requests = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private final LongAdder disables = new LongAdder();

	/**
	 * Create a pool's view of a backend.
	 * @param pool the pool's name, for log lines
	 * @param position the backend's place in the configured order
	 * @param weight its share of requests, at least 1
	 * @param backend the backend itself
	 * @param disableTime how long a failed backend rests
	 * @param nanoClock the clock ({@link System#nanoTime()} outside tests)
	 */
	public PoolBackend(String pool, int position, int weight, GatewayBackend backend, Duration disableTime,
			LongSupplier nanoClock) {
		this(pool, position, weight, backend, disableTime, nanoClock, BackendStateListener.NONE);
	}

	/**
	 * Create a pool's view of a backend that tells its state changes to a listener.
	 * @param pool the pool's name, for log lines and events
	 * @param position the backend's place in the configured order
	 * @param weight its share of requests, at least 1
	 * @param backend the backend itself
	 * @param disableTime how long a failed backend rests
	 * @param nanoClock the clock ({@link System#nanoTime()} outside tests)
	 * @param listener told of each change of its state or hold
	 */
	public PoolBackend(String pool, int position, int weight, GatewayBackend backend, Duration disableTime,
			LongSupplier nanoClock, BackendStateListener listener) {
		if (weight < 1) {
			throw new IllegalArgumentException("weight must be at least 1, not " + weight);
		}
		this.pool = pool;
		this.position = position;
		this.weight = weight;
		this.backend = backend;
		this.id = pool + "-" + position;
		this.disableNanos = disableTime.toNanos();
		this.nanoClock = nanoClock;
		this.listener = listener;
		// Long ago, without overflowing the differences taken from it.
		this.lastAnswered = nanoClock.getAsLong() - Long.MAX_VALUE / 2;
	}

	@Override
	public int position() {
		return this.position;
	}

	@Override
	public String name() {
		return this.backend.name();
	}

	/**
	 * Return the backend's id in metrics and observations: the pool's name and the backend's position,
	 * {@code php-0}. Unlike its address (a spawned process listens on a fresh temporary socket each start), it
	 * stays the same across restarts, so its time series do too.
	 */
	public String id() {
		return this.id;
	}

	@Override
	public int weight() {
		return this.weight;
	}

	/**
	 * Return the requests sent to this backend and not yet finished, those waiting for a connection included.
	 */
	@Override
	public int load() {
		return this.inFlight.get();
	}

	/**
	 * Return the backend this wraps.
	 */
	public GatewayBackend backend() {
		return this.backend;
	}

	/**
	 * Return the backend's state now.
	 */
	@SuppressWarnings("NullAway") // set to ACTIVE at construction and only ever to another State: never null
	public State state() {
		return this.state.get();
	}

	/**
	 * Return the nanoTime until which the backend rests, meaningful while {@link State#DISABLED}.
	 */
	long disabledUntilNanos() {
		return this.disabledUntil;
	}

	/**
	 * Return how long the backend still rests; zero unless it is disabled.
	 */
	public Duration disabledFor() {
		if (this.state.get() != State.DISABLED) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.max(0, this.disabledUntil - this.nanoClock.getAsLong()));
	}

	/**
	 * Return why the backend last failed, or {@code null}.
	 */
	public @Nullable String lastFailure() {
		return this.lastFailure;
	}

	/**
	 * Return the requests waiting for one of its connections.
	 */
	public int queued() {
		return this.backend.queued();
	}

	/** Return how many requests were sent to this backend. */
	public long requests() {
		return this.requests.sum();
	}

	/** Return how many of them failed (no connection, overload, broken or late response). */
	public long failures() {
		return this.failures.sum();
	}

	/** Return how many times the backend was disabled. */
	public long disables() {
		return this.disables.sum();
	}

	/**
	 * Return the nanoTime of the backend's last answer (a response head, or a successful probe).
	 */
	long lastAnsweredNanos() {
		return this.lastAnswered;
	}

	/**
	 * Return the operator's hold on the backend.
	 */
	public Hold hold() {
		return this.hold;
	}

	/**
	 * Whether the backend takes requests now: active, and no operator holds it.
	 */
	public boolean isServing() {
		return this.hold == Hold.NONE && this.state.get() == State.ACTIVE;
	}

	/**
	 * Whether the backend may take a request now without probing.
	 */
	boolean isActive() {
		return isServing();
	}

	/**
	 * Take the one probe of a backend whose disable-time has passed, for a request.
	 * @return whether the caller's request is the probe
	 */
	boolean tryStartProbe() {
		return this.hold == Hold.NONE && tryStartBackgroundProbe();
	}

	/**
	 * Take the one probe of a backend whose disable-time has passed, for a background check (a drained backend is
	 * still probed, so that its state stays true).
	 * @return whether the caller is the probe
	 */
	boolean tryStartBackgroundProbe() {
		return this.hold != Hold.DISABLE && this.state.get() == State.DISABLED
				&& this.nanoClock.getAsLong() - this.disabledUntil >= 0
				&& this.state.compareAndSet(State.DISABLED, State.PROBING);
	}

	/**
	 * A background check of a backend found it not taking connections: it rests for its disable-time, as if a
	 * request had been refused, but no request failure is counted.
	 * @param reason why, for the log
	 */
	void probeFailed(String reason) {
		this.lastFailure = reason;
		if (!rest(State.ACTIVE, reason, BackendStateChangedEvent.Cause.CHECK)) {
			rest(State.PROBING, reason, BackendStateChangedEvent.Cause.CHECK);
		}
	}

	/**
	 * Put an operator's hold on the backend, or lift it with {@link Hold#NONE}. Lifting it from a backend that
	 * rests makes it due for its probe at once.
	 * @param hold the hold
	 */
	public void hold(Hold hold) {
		Hold before = this.hold;
		this.hold = hold;
		if (hold == Hold.NONE && this.state.get() == State.DISABLED) {
			this.disabledUntil = this.nanoClock.getAsLong();
		}
		if (before != hold) {
			State state = state();
			publish(new BackendStateChangedEvent.Status(state, before), new BackendStateChangedEvent.Status(state, hold),
					BackendStateChangedEvent.Cause.OPERATOR, null);
			logger.info("Backend " + name() + " of pool '" + this.pool + "': "
					+ switch (hold) {
						case NONE -> "enabled by an operator";
						case DRAIN -> "drained by an operator: no new request, " + load() + " in flight finish";
						case DISABLE -> "disabled by an operator: no new request and no probe until enabled";
					});
		}
	}

	/**
	 * A request is on its way to this backend.
	 */
	void started() {
		this.requests.increment();
		this.inFlight.incrementAndGet();
	}

	/**
	 * A request that {@link #started()} is over (its response ended, or it failed).
	 */
	void finished() {
		this.inFlight.decrementAndGet();
	}

	/**
	 * The backend answered (a response head, or a background check): a probing backend is back.
	 * @param cause a request or a check
	 */
	void answered(BackendStateChangedEvent.Cause cause) {
		this.lastAnswered = this.nanoClock.getAsLong();
		if (this.state.compareAndSet(State.PROBING, State.ACTIVE)) {
			logger.info("Backend " + name() + " of pool '" + this.pool + "' answers again; it takes requests");
			publish(State.PROBING, State.ACTIVE, cause, null);
		}
	}

	/**
	 * The request that was probing the backend was cancelled before an answer (its client went away): the next
	 * request probes instead, so the backend is not left waiting for an answer nobody reads.
	 */
	void probeAbandoned() {
		if (this.state.get() == State.PROBING) {
			this.disabledUntil = this.nanoClock.getAsLong();
			this.state.compareAndSet(State.PROBING, State.DISABLED);
		}
	}

	/**
	 * A request failed in a way that does not say the backend is down (a broken or late response): counted only,
	 * except for a probe, which disables the backend again.
	 */
	void failed(@Nullable String reason) {
		this.failures.increment();
		this.lastFailure = reason;
		if (this.state.get() == State.PROBING) {
			rest(State.PROBING, reason, BackendStateChangedEvent.Cause.REQUEST);
		}
	}

	/**
	 * The backend refused the request (no connection, or overloaded): it rests for its disable-time.
	 */
	void disable(@Nullable String reason) {
		this.failures.increment();
		this.lastFailure = reason;
		if (!rest(State.ACTIVE, reason, BackendStateChangedEvent.Cause.REQUEST)) {
			rest(State.PROBING, reason, BackendStateChangedEvent.Cause.REQUEST);
		}
	}

	private boolean rest(State from, @Nullable String reason, BackendStateChangedEvent.Cause cause) {
		if (this.state.get() != from) {
			// Resting already (a refusal of a request sent before the rest began, or a lost race): its end stays
			// where the rest that began it put it, or a stream of late refusals would keep the backend out for good.
			return false;
		}
		// Written before the state changes, so that whoever sees DISABLED sees when it ends.
		this.disabledUntil = this.nanoClock.getAsLong() + this.disableNanos;
		if (!this.state.compareAndSet(from, State.DISABLED)) {
			return false;
		}
		if (from == State.ACTIVE) {
			this.disables.increment();
			logger.warn("Backend " + name() + " of pool '" + this.pool + "' disabled for "
					+ Duration.ofNanos(this.disableNanos).toMillis() + " ms: " + LogText.printable(reason));
			publish(State.ACTIVE, State.DISABLED, cause, reason);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Probe of backend " + name() + " of pool '" + this.pool + "' failed: "
					+ LogText.printable(reason));
		}
		return true;
	}

	/**
	 * The backend's local process is being started: no request goes there until {@link #processStarted()}.
	 */
	void processStarting() {
		this.state.set(State.STOPPED);
	}

	/**
	 * The backend's local process stopped: no request goes there until {@link #processStarted()}.
	 */
	void processStopped(String reason) {
		State before = this.state.getAndSet(State.STOPPED);
		if (before != State.STOPPED) {
			this.lastFailure = reason;
			logger.warn("Backend " + name() + " of pool '" + this.pool + "' stopped: " + LogText.printable(reason));
			publish(before, State.STOPPED, BackendStateChangedEvent.Cause.PROCESS, reason);
		}
	}

	/**
	 * The backend's local process accepts connections again.
	 */
	void processStarted() {
		if (this.state.compareAndSet(State.STOPPED, State.ACTIVE)) {
			logger.info("Backend " + name() + " of pool '" + this.pool + "' started; it takes requests");
			publish(State.STOPPED, State.ACTIVE, BackendStateChangedEvent.Cause.PROCESS, null);
		}
	}

	private void publish(State from, State to, BackendStateChangedEvent.Cause cause, @Nullable String reason) {
		Hold hold = this.hold;
		publish(new BackendStateChangedEvent.Status(from, hold), new BackendStateChangedEvent.Status(to, hold), cause,
				reason);
	}

	private void publish(BackendStateChangedEvent.Status from, BackendStateChangedEvent.Status to,
			BackendStateChangedEvent.Cause cause, @Nullable String reason) {
		if (this.listener == BackendStateListener.NONE) {
			return;
		}
		try {
			this.listener.stateChanged(new BackendStateChangedEvent(this.pool, this.id, name(), from, to, cause, reason));
		}
		catch (RuntimeException ex) {
			// A listener's bug must not break the request, check or supervisor that saw the change.
			logger.warn("Listener of backend " + name() + " of pool '" + this.pool + "' failed", ex);
		}
	}

}
