package dev.lighttpdboot.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.lighttpdboot.gateway.balancer.Balancer;
import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.gateway.spawn.ProcessState;
import dev.lighttpdboot.gateway.spawn.SpawnedBackends;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * A named pool of backends behind one balancer, with lighttpd's fail-over: a backend that cannot be connected to,
 * or that is overloaded, rests for its disable-time while the request goes on to another usable backend.
 * <ul>
 * <li>A request goes to another backend only when the first did not take it: no connection, a connect timeout,
 * FastCGI's {@code OVERLOADED}, or this server's queue for it full. Such a request never reached an application,
 * so sending it again is safe whatever its method (its body is buffered).</li>
 * <li>A backend is disabled only when it refused the request itself (no connection, a connect timeout, an
 * overload it reported); a full queue on this side answers the overflowing request and disables nothing.</li>
 * <li>A response that breaks, or comes too late, after the request was delivered is not sent elsewhere (the
 * application may have acted on it): 502 or 504, and the backend counts a failure.</li>
 * <li>When a backend's disable-time has passed, one request probes it; if that request is answered, the backend
 * takes requests again.</li>
 * <li>When no backend is usable: 503 with a {@code Retry-After} of the time until the first comes back.</li>
 * </ul>
 * The pool is both the route's backend and a {@link ClientHttpConnector}, so a {@code WebClient} built on it gets
 * the same balancing and fail-over:
 * <pre>
 * WebClient php = WebClient.builder().clientConnector(pools.get("php")).build();
 * </pre>
 */
public final class GatewayPool implements GatewayBackend, ClientHttpConnector {

	private static final Log logger = LogFactory.getLog(GatewayPool.class);

	private final String name;

	private final String protocol;

	private final List<PoolBackend> backends;

	private final Balancer balancer;

	private final LongSupplier nanoClock;

	private final CgiClientHttpConnector connector;

	private final GatewayMetrics metrics;

	private final ObservationRegistry observations;

	private final @Nullable GatewayObservationConvention convention;

	private final AtomicBoolean exhausted = new AtomicBoolean();

	private final List<AutoCloseable> attached = new CopyOnWriteArrayList<>();

	/** The protocol tag of a pool whose protocol was not named: one built with the shortest constructor. */
	public static final String UNKNOWN_PROTOCOL = "unknown";

	/**
	 * Create a pool, its protocol not named ({@value #UNKNOWN_PROTOCOL} in metrics) and its calls not observed.
	 * @param name the pool's (and its route's) name
	 * @param backends the backends, in configured order (their positions 0, 1, ...)
	 * @param balancer chooses among the usable backends
	 * @param documentRoot where the backends find their scripts, for requests made through {@code WebClient};
	 * {@code null} for a protocol that needs none
	 * @param metrics receives an event per attempt
	 * @param nanoClock the clock the backends' disable-times are measured on
	 */
	public GatewayPool(String name, List<PoolBackend> backends, Balancer balancer, @Nullable String documentRoot,
			GatewayMetrics metrics, LongSupplier nanoClock) {
		this(name, UNKNOWN_PROTOCOL, backends, balancer, documentRoot, metrics, nanoClock, ObservationRegistry.NOOP,
				null);
	}

	/**
	 * Create a pool whose backend calls are observed: one observation per attempt, from its start to the
	 * response head or the failure, a child of the observation in the subscriber's Reactor context (the server
	 * request's, with Micrometer Tracing a span within the request's trace).
	 * @param name the pool's (and its route's) name
	 * @param protocol the name of the protocol its backends speak ({@code fastcgi}, {@code scgi}...), the
	 * {@code protocol} tag of its metrics
	 * @param backends the backends, in configured order (their positions 0, 1, ...)
	 * @param balancer chooses among the usable backends
	 * @param documentRoot where the backends find their scripts, for requests made through {@code WebClient}
	 * @param metrics receives the backends' error output
	 * @param nanoClock the clock the backends' disable-times are measured on
	 * @param observations where backend calls are observed
	 * @param convention names and tags the observations, or {@code null} for
	 * {@link DefaultGatewayObservationConvention}
	 */
	public GatewayPool(String name, String protocol, List<PoolBackend> backends, Balancer balancer,
			@Nullable String documentRoot, GatewayMetrics metrics, LongSupplier nanoClock, ObservationRegistry observations,
			@Nullable GatewayObservationConvention convention) {
		if (backends.isEmpty()) {
			throw new IllegalArgumentException("pool '" + name + "' has no backend");
		}
		for (int i = 0; i < backends.size(); i++) {
			if (backends.get(i).position() != i) {
				throw new IllegalArgumentException("backend " + backends.get(i).name() + " is at " + i
						+ " but has position " + backends.get(i).position());
			}
		}
		this.name = name;
		this.protocol = protocol;
		this.backends = List.copyOf(backends);
		this.balancer = balancer;
		this.metrics = metrics;
		this.nanoClock = nanoClock;
		this.observations = observations;
		this.convention = convention;
		this.connector = new CgiClientHttpConnector(this, documentRoot);
	}

	/**
	 * Return the pool's name.
	 */
	@Override
	public String name() {
		return this.name;
	}

	/**
	 * Return the name of the protocol its backends speak ({@code fastcgi}, {@code scgi}...), or
	 * {@value #UNKNOWN_PROTOCOL}.
	 */
	public String protocol() {
		return this.protocol;
	}

	/**
	 * Return the backends in configured order.
	 */
	public List<PoolBackend> backends() {
		return this.backends;
	}

	/**
	 * Return the backend at a position.
	 */
	public PoolBackend backend(int position) {
		return this.backends.get(position);
	}

	/**
	 * Whether at least one backend takes requests now, or may be probed.
	 */
	public boolean hasUsableBackend() {
		long now = this.nanoClock.getAsLong();
		for (PoolBackend backend : this.backends) {
			if (backend.isActive() || (backend.hold() == PoolBackend.Hold.NONE
					&& backend.state() == PoolBackend.State.DISABLED && now - backend.disabledUntilNanos() >= 0)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether at least one backend takes requests now: active and not held by an operator. Unlike
	 * {@link #hasUsableBackend()}, a backend that is only due for its probe does not count: nothing says yet that
	 * it is back.
	 */
	public boolean hasServingBackend() {
		for (PoolBackend backend : this.backends) {
			if (backend.isServing()) {
				return true;
			}
		}
		return false;
	}

	@Override
	public int queued() {
		int queued = 0;
		for (PoolBackend backend : this.backends) {
			queued += backend.queued();
		}
		return queued;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return this.connector.connect(method, uri, requestCallback);
	}

	/**
	 * Send a request to a backend chosen by the balancer, going on to the next usable backend while none takes it.
	 */
	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		String key = request.balanceKey();
		return Mono.deferContextual((context) -> attempt(request, stderr, key, new ArrayList<>(this.backends.size()),
				context.getOrDefault(ObservationThreadLocalAccessor.KEY, null)));
	}

	/**
	 * Observe a request that no backend saw (refused by the route, or its body too large), so that it counts with
	 * the backend calls: an observation with backend {@code none} and this outcome, started and stopped at once.
	 * @param outcome {@code refused} or {@code too-large}
	 */
	public void observeUnsent(String outcome) {
		GatewayObservationContext context = new GatewayObservationContext(this.name, this.protocol, "none", "none");
		context.setOutcome(outcome);
		Observation.createNotStarted(this.convention, DefaultGatewayObservationConvention.INSTANCE, () -> context,
				this.observations).start().stop();
	}

	private Mono<GatewayResponse> attempt(GatewayRequest request, StderrListener stderr, String key,
			List<PoolBackend> tried, @Nullable Observation parent) {
		PoolBackend backend = choose(key, tried);
		if (backend == null) {
			if (tried.isEmpty()) {
				// Answered 503 without a backend call (all of them resting or held): still a request of the pool.
				observeUnsent("unavailable");
			}
			return Mono.error(noBackend(tried));
		}
		tried.add(backend);
		backend.started();
		GatewayObservationContext context = new GatewayObservationContext(this.name, this.protocol, backend.id(),
				backend.name());
		Observation observation = Observation
			.createNotStarted(this.convention, DefaultGatewayObservationConvention.INSTANCE, () -> context,
					this.observations)
			.parentObservation(parent)
			.start();
		AtomicBoolean observed = new AtomicBoolean();
		BiConsumer<String, Throwable> observe = (outcome, error) -> {
			if (observed.compareAndSet(false, true)) {
				context.setOutcome(outcome);
				if (error != null) {
					observation.error(error);
				}
				observation.stop();
			}
		};
		AtomicBoolean finished = new AtomicBoolean();
		AtomicBoolean answered = new AtomicBoolean();
		Runnable finish = () -> {
			if (finished.compareAndSet(false, true)) {
				backend.finished();
			}
		};
		return backend.backend().exchange(request, stderr)
			.map((response) -> {
				answered.set(true);
				backend.answered(BackendStateChangedEvent.Cause.REQUEST);
				observe.accept("ok", null);
				Flux<DataBuffer> tracked = response.body()
					.doOnError(BackendException.class, (ex) -> backend.failed(ex.getReason()))
					.doFinally((signal) -> finish.run());
				return response.withBody(tracked, backend.name());
			})
			.onErrorResume((ex) -> {
				finish.run();
				if (!(ex instanceof BackendException failure)) {
					backend.failed(ex.getClass().getSimpleName());
					observe.accept("error", ex);
					return Mono.error(ex);
				}
				observe.accept(outcome(failure), failure);
				if (failure.queueFull()) {
					// Our own limit, not the backend's fault: it stays in rotation, and only this request goes on
					// (to another backend if there is one, else it is answered 503). A probe that never reached the
					// backend proved nothing: the next request probes instead.
					backend.probeAbandoned();
					if (logger.isDebugEnabled()) {
						logger.debug("Pool '" + this.name + "': " + failure.getReason() + "; trying another backend");
					}
					return attempt(request, stderr, key, tried, parent);
				}
				if (failure.getStatusCode().value() == 503 && failure.beforeResponse()) {
					// Not taken: the backend rests, and the request, which reached no application, goes on.
					backend.disable(failure.getReason());
					if (logger.isDebugEnabled()) {
						logger.debug("Pool '" + this.name + "': " + backend.name() + " did not take the request ("
								+ failure.getReason() + "); trying another backend");
					}
					return attempt(request, stderr, key, tried, parent);
				}
				backend.failed(failure.getReason());
				return Mono.error(failure);
			})
			.doOnCancel(() -> {
				// Once answered, the body carries the request to its end (and finishes it).
				if (!answered.get() && !finished.get()) {
					backend.probeAbandoned();
					finish.run();
				}
				observe.accept("cancelled", null);
			})
			.contextWrite((reactor) -> reactor.put(ObservationThreadLocalAccessor.KEY, observation));
	}

	private @Nullable PoolBackend choose(String key, List<PoolBackend> tried) {
		// A backend whose disable-time has passed gets this request as its probe, whatever the balancer would
		// say: otherwise it might wait for a probe that the balancer never sends.
		for (PoolBackend backend : this.backends) {
			if (!tried.contains(backend) && backend.tryStartProbe()) {
				return backend;
			}
		}
		List<PoolBackend> usable = new ArrayList<>(this.backends.size());
		for (PoolBackend backend : this.backends) {
			if (backend.isActive() && !tried.contains(backend)) {
				usable.add(backend);
			}
		}
		if (usable.isEmpty()) {
			return null;
		}
		if (this.exhausted.compareAndSet(true, false)) {
			logger.info("Pool '" + this.name + "' has a usable backend again");
		}
		return this.backends.get(this.balancer.choose(usable, key).position());
	}

	private BackendException noBackend(List<PoolBackend> tried) {
		boolean anyActive = this.backends.stream().anyMatch(PoolBackend::isActive);
		if (!anyActive && this.exhausted.compareAndSet(false, true)) {
			logger.error("Pool '" + this.name + "' has no usable backend: requests are answered 503 until one "
					+ "comes back");
		}
		long now = this.nanoClock.getAsLong();
		long soonest = Long.MAX_VALUE;
		for (PoolBackend backend : this.backends) {
			if (backend.state() == PoolBackend.State.DISABLED) {
				soonest = Math.min(soonest, Math.max(0, backend.disabledUntilNanos() - now));
			}
		}
		long retryAfter = (soonest == Long.MAX_VALUE) ? 1 : (soonest + 999_999_999L) / 1_000_000_000L;
		String reason = tried.isEmpty() ? "no backend of pool '" + this.name + "' is usable"
				: "no backend of pool '" + this.name + "' took the request (tried " + tried.size() + ")";
		return BackendException.noBackend(reason, retryAfter);
	}

	private static String outcome(BackendException ex) {
		if (ex.queueFull()) {
			return "queue-full";
		}
		return switch (ex.getStatusCode().value()) {
			case 503 -> "unavailable";
			case 504 -> "timeout";
			default -> "broken";
		};
	}

	/**
	 * The local process behind a backend is being started: the backend takes no request until
	 * {@link #processStarted(int)}.
	 * @param position the backend's position
	 */
	public void processStarting(int position) {
		backend(position).processStarting();
	}

	/**
	 * Close something when the pool is disposed, after its connections: the local processes behind its
	 * backends, say (an open connection would keep a worker busy while it is asked to stop).
	 */
	public void attach(AutoCloseable resource) {
		this.attached.add(resource);
	}

	/**
	 * Return a snapshot of the local processes this pool spawned (those {@link #attach attached} to it), in
	 * their backends' order; empty for a pool of remote backends only.
	 */
	public List<ProcessState> processes() {
		List<ProcessState> processes = new ArrayList<>();
		for (AutoCloseable resource : this.attached) {
			if (resource instanceof SpawnedBackends spawned) {
				processes.addAll(spawned.states());
			}
		}
		return processes;
	}

	/**
	 * The local process behind a backend stopped: the backend takes no request until it is started again.
	 * @param position the backend's position
	 * @param reason why, for the log
	 */
	public void processStopped(int position, String reason) {
		backend(position).processStopped(reason);
	}

	/**
	 * The local process behind a backend accepts connections (again).
	 * @param position the backend's position
	 */
	public void processStarted(int position) {
		backend(position).processStarted();
	}

	/**
	 * Close every backend's connections.
	 */
	@Override
	public Mono<Void> dispose() {
		Mono<Void> closeAttached = Flux.fromIterable(this.attached)
			.concatMap((resource) -> Mono.<Void>fromCallable(() -> {
				resource.close();
				return null;
			}).subscribeOn(Schedulers.boundedElastic()))
			.then();
		return Flux.fromIterable(this.backends).flatMap((backend) -> backend.backend().dispose()).then(closeAttached);
	}

}
