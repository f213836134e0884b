package dev.lighttpdboot.uploadprogress;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Shares upload progress between the nodes behind a load balancer through Redis, so that a poll answered by any
 * node reports an upload that another node receives.
 * <p>
 * The counter never waits for Redis. Each node first keeps its own uploads in an {@link InMemoryUploadProgressStore}
 * (an addition on the event loop, as with the in-memory store alone), and publishes them to Redis as one
 * {@code SET key value PX ttl} per write:
 * <ul>
 * <li>at most once per {@code publishInterval} per upload while it runs, and at most one command in flight per
 * upload (a change meanwhile is sent by the next tick of a timer that looks at every upload of this node, so the
 * last update of a stalled upload arrives too);</li>
 * <li>at once when the upload ends ({@code done} or {@code error}), after any write still in flight;</li>
 * <li>again every half retention while an upload runs unchanged, since each write sets the key's time to live to
 * the retention: an entry whose node died expires in Redis by itself.</li>
 * </ul>
 * A finished entry lives {@code retention} in Redis (its TTL) and on the node that received it.
 * <p>
 * Faults: a command that fails or takes longer than {@code timeout} marks Redis unavailable (one WARN line). While
 * it is, nothing is sent but a {@code PING} per tick; polls are answered at once from the node's own uploads, and
 * with {@link UploadProgress#UNAVAILABLE} for uploads of other nodes. When a {@code PING} succeeds again (one INFO
 * line), every upload this node still knows is written again, so a Redis that restarted empty learns them back.
 * <p>
 * Commands are sent from Reactor's bounded-elastic scheduler, not from the event loop: Spring Data Redis opens its
 * shared Lettuce connection synchronously on first use, and again on each use while Redis refuses it.
 */
public final class RedisUploadProgressStore implements UploadProgressStore, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisUploadProgressStore.class);

	/** How long a PING may take to open the connection and answer, while Redis is not available. */
	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

	/** The default prefix of the keys. */
	public static final String DEFAULT_KEY_PREFIX = "lighttpd:upload-progress:";

	/** The context key of Reactor's per-subscription hook for errors that arrive after a cancellation. */
	private static final String ON_ERROR_DROPPED = "reactor.onErrorDropped.local";

	private final ReactiveStringRedisTemplate redis;

	private final InMemoryUploadProgressStore local;

	private final String keyPrefix;

	private final long retentionNanos;

	private final long publishIntervalNanos;

	private final Duration timeout;

	private final LongSupplier nanoClock;

	private final Scheduler scheduler = Schedulers.boundedElastic();

	/** This node's uploads still known locally, with what Redis has of each. */
	private final Map<String, Publication> publications = new ConcurrentHashMap<>();

	private final AtomicBoolean probing = new AtomicBoolean();

	private final AtomicLong commands = new AtomicLong();

	private final @Nullable Disposable ticker;

	/** False until a first PING succeeds, and while Redis cannot be reached. */
	private volatile boolean available;

	private volatile @Nullable String lastError;

	/**
	 * Create a store that publishes on a timer of Reactor's parallel scheduler.
	 * @param redis the client, for example on Spring Boot's Lettuce connection factory
	 * @param keyPrefix the prefix of the keys, one key per upload
	 * @param retention how long finished entries stay (the keys' time to live)
	 * @param maxEntries the most uploads this node keeps locally
	 * @param publishInterval the least time between two writes of one running upload
	 * @param timeout how long a command may take before Redis counts as unavailable
	 */
	public RedisUploadProgressStore(ReactiveStringRedisTemplate redis, String keyPrefix, Duration retention,
			int maxEntries, Duration publishInterval, Duration timeout) {
		this(redis, keyPrefix, retention, maxEntries, publishInterval, timeout, System::nanoTime, true);
	}

	RedisUploadProgressStore(ReactiveStringRedisTemplate redis, String keyPrefix, Duration retention, int maxEntries,
			Duration publishInterval, Duration timeout, LongSupplier nanoClock, boolean tick) {
		if (retention.toMillis() < 1 || publishInterval.toMillis() < 1 || timeout.toMillis() < 1) {
			throw new IllegalArgumentException("retention, publishInterval and timeout must be at least 1 ms");
		}
		this.redis = redis;
		this.local = new InMemoryUploadProgressStore(retention, maxEntries, nanoClock, tick);
		this.keyPrefix = keyPrefix;
		this.retentionNanos = retention.toNanos();
		this.publishIntervalNanos = publishInterval.toNanos();
		this.timeout = timeout;
		this.nanoClock = nanoClock;
		long period = publishInterval.toMillis();
		this.ticker = tick ? Schedulers.parallel().schedulePeriodically(this::tick, period, period, TimeUnit.MILLISECONDS)
				: null;
		// Connects in the background: the application starts whether Redis is there or not.
		probe();
	}

	@Override
	public void start(String id, long size) {
		this.local.start(id, size);
		if (this.local.known(id) != null) {
			// Nothing is written yet: an unknown id reads as starting anyway, and most uploads send a byte at once.
			this.publications.put(id, new Publication(id, this.nanoClock.getAsLong() - this.publishIntervalNanos));
		}
	}

	@Override
	public void update(String id, long received) {
		this.local.update(id, received);
		Publication publication = this.publications.get(id);
		if (publication != null && this.available
				&& this.nanoClock.getAsLong() - publication.lastAttempt >= this.publishIntervalNanos) {
			publish(publication);
		}
	}

	@Override
	public void done(String id, long received) {
		this.local.done(id, received);
		finished(id);
	}

	@Override
	public void failed(String id, long received, int status) {
		this.local.failed(id, received, status);
		finished(id);
	}

	private void finished(String id) {
		Publication publication = this.publications.get(id);
		if (publication != null) {
			publication.finishedAt = this.nanoClock.getAsLong();
			if (this.available) {
				publish(publication);
			}
		}
	}

	/**
	 * Answer from Redis, which every node reads alike (so polls through a balancer never see an upload go back);
	 * from this node's own uploads while Redis cannot be reached, or when Redis lost the key (a restart without
	 * persistence, until this node has written it again: then with the value being written, not a newer one, which
	 * another node reading Redis right after would not see).
	 */
	@Override
	public Mono<UploadProgress> find(String id) {
		if (!this.available) {
			return Mono.just(localOr(id, UploadProgress.UNAVAILABLE));
		}
		return send(() -> this.redis.opsForValue().get(key(id)))
			.map(RedisUploadProgressStore::decode)
			.switchIfEmpty(Mono.fromSupplier(() -> notInRedis(id)))
			.onErrorResume((ex) -> {
				unavailable(ex);
				return Mono.just(localOr(id, UploadProgress.UNAVAILABLE));
			});
	}

	private UploadProgress notInRedis(String id) {
		Publication publication = this.publications.get(id);
		UploadProgress sending = (publication != null) ? publication.sending : null;
		return (sending != null) ? sending : localOr(id, UploadProgress.STARTING);
	}

	private UploadProgress localOr(String id, UploadProgress otherwise) {
		UploadProgress progress = this.local.known(id);
		return (progress != null) ? progress : otherwise;
	}

	/** This node's uploads in progress: listing every node's would need a scan of Redis. */
	@Override
	public Mono<Map<String, UploadProgress>> inProgress() {
		return this.local.inProgress();
	}

	@Override
	public Mono<UploadProgressStoreStatus> status() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("store", "redis");
		details.put("redis", this.available ? "available" : (this.lastError != null) ? "unavailable" : "connecting");
		details.put("uploads", this.publications.size());
		details.put("commands", this.commands.get());
		String error = this.lastError;
		if (!this.available && error != null) {
			details.put("error", error);
		}
		return Mono.just(new UploadProgressStoreStatus(this.available, details));
	}

	/**
	 * Return the number of Redis commands this store has sent.
	 */
	public long commandCount() {
		return this.commands.get();
	}

	/**
	 * Return whether a write is in flight, for tests.
	 */
	boolean writing() {
		return this.publications.values().stream().anyMatch((publication) -> publication.inFlight.get());
	}

	/**
	 * Return whether the last command reached Redis.
	 */
	public boolean isAvailable() {
		return this.available;
	}

	/**
	 * Runs every {@code publishInterval}: sends what changed and was not sent (a throttled update, an end that
	 * found a write in flight, a refresh of the TTL), or checks whether an unavailable Redis is back.
	 */
	void tick() {
		if (!this.available) {
			probe();
			return;
		}
		long now = this.nanoClock.getAsLong();
		for (Publication publication : this.publications.values()) {
			UploadProgress current = this.local.known(publication.id);
			if (current == null) {
				// Expired (or evicted) locally: Redis forgets it by its own TTL.
				this.publications.remove(publication.id, publication);
			}
			else if (!current.equals(publication.published)
					? now - publication.lastAttempt >= this.publishIntervalNanos
					: !current.state().isFinished() && now - publication.lastSuccess >= this.retentionNanos / 2) {
				publish(publication);
			}
		}
	}

	/**
	 * Send a {@code PING} on the bounded-elastic scheduler and wait for it there, with {@link #PROBE_TIMEOUT}
	 * rather than the commands' timeout: it may have to open the connection, which a cancellation would interrupt
	 * (so that a connection slower to open than a command's timeout would never open).
	 */
	private void probe() {
		if (!this.probing.compareAndSet(false, true)) {
			return;
		}
		this.scheduler.schedule(() -> {
			try {
				this.commands.incrementAndGet();
				this.redis.execute((connection) -> connection.ping()).next().block(PROBE_TIMEOUT);
				if (!this.available) {
					logger.info("Redis is reachable: sharing upload progress with the other nodes ("
							+ this.publications.size() + " uploads of this node to write)");
				}
				// Redis may have restarted empty: everything this node knows is written again by the next tick.
				this.publications.values().forEach((publication) -> publication.published = null);
				this.available = true;
			}
			catch (RuntimeException ex) {
				unavailable(ex);
			}
			finally {
				this.probing.set(false);
			}
		});
	}

	/** Write the upload's current state, unless a write of it is in flight (whose completion looks again). */
	private void publish(Publication publication) {
		if (!publication.inFlight.compareAndSet(false, true)) {
			return;
		}
		// Read after taking the flag: a write never overtakes a newer one of the same upload.
		UploadProgress progress = this.local.known(publication.id);
		if (progress == null) {
			publication.inFlight.set(false);
			this.publications.remove(publication.id, publication);
			return;
		}
		long now = this.nanoClock.getAsLong();
		publication.lastAttempt = now;
		long ttl = this.retentionNanos;
		if (progress.state().isFinished() && publication.finishedAt != 0) {
			// Written again after an outage: the entry still expires retention after the upload ended.
			ttl = Math.max(TimeUnit.MILLISECONDS.toNanos(1), this.retentionNanos - (now - publication.finishedAt));
		}
		Duration expiry = Duration.ofMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(ttl)));
		String value = encode(progress);
		publication.sending = progress;
		send(() -> this.redis.opsForValue().set(key(publication.id), value, expiry)).subscribe((ok) -> {
			publication.published = progress;
			publication.lastSuccess = this.nanoClock.getAsLong();
			this.available = true;
			publication.inFlight.set(false);
			UploadProgress latest = this.local.known(publication.id);
			if (latest != null && latest.state().isFinished() && !latest.equals(progress)) {
				// The upload ended while this write was in flight: its end must not wait for the next tick.
				publish(publication);
			}
		}, (ex) -> {
			publication.inFlight.set(false);
			unavailable(ex);
		});
	}

	private <T> Mono<T> send(Supplier<Mono<T>> command) {
		return Mono.defer(() -> {
			this.commands.incrementAndGet();
			return command.get();
		}).subscribeOn(this.scheduler)
			.timeout(this.timeout)
			// A command given up by the timeout may still fail afterwards, typically a connection attempt whose
			// thread the cancellation interrupted: Reactor would log that at ERROR with its stack trace.
			.contextWrite(Context.of(ON_ERROR_DROPPED, (Consumer<Throwable>) (ex) -> logger
				.debug("Redis command failed after it was given up: " + ex)));
	}

	private void unavailable(Throwable ex) {
		String message = (ex instanceof TimeoutException || ex.getCause() instanceof TimeoutException)
				? "no answer in time" : String.valueOf(ex.getMessage());
		boolean first = this.lastError == null;
		this.lastError = message;
		if (this.available || first) {
			this.available = false;
			logger.warn("Redis is unavailable (" + message + "): uploads go on, each node answers progress polls "
					+ "for its own uploads only until Redis is back");
		}
	}

	private String key(String id) {
		return this.keyPrefix + id;
	}

	/** {@code state received size status}, for example {@code uploading 300 1000 0}: readable with redis-cli. */
	static String encode(UploadProgress progress) {
		return progress.state().jsonName() + " " + progress.received() + " " + progress.size() + " "
				+ progress.status();
	}

	static UploadProgress decode(String value) {
		String[] fields = value.split(" ");
		try {
			if (fields.length == 4) {
				UploadState state = UploadState.valueOf(fields[0].toUpperCase(Locale.ROOT));
				return new UploadProgress(state, Long.parseLong(fields[1]), Long.parseLong(fields[2]),
						Integer.parseInt(fields[3]));
			}
		}
		catch (IllegalArgumentException ex) {
			// Not ours: fall through.
		}
		logger.debug("Ignoring an upload-progress value that this version does not write: " + value);
		return UploadProgress.STARTING;
	}

	@Override
	public void close() {
		if (this.ticker != null) {
			this.ticker.dispose();
		}
		this.local.close();
	}

	private static final class Publication {

		final String id;

		final AtomicBoolean inFlight = new AtomicBoolean();

		/** The value of the last write sent, landed or not. */
		volatile @Nullable UploadProgress sending;

		/** What Redis was last told, or null when it must be told again. */
		volatile @Nullable UploadProgress published;

		/** When the last write was sent; the first may go at once. */
		volatile long lastAttempt;

		volatile long lastSuccess;

		volatile long finishedAt;

		Publication(String id, long lastAttempt) {
			this.id = id;
			this.lastAttempt = lastAttempt;
		}

	}

}
