package dev.lighttpdboot.uploadprogress;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Scheduler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Keeps upload progress in this JVM: right for one node, or for nodes where the load balancer sends the progress
 * requests of an upload to the node receiving it.
 * <p>
 * Entries live in a Caffeine cache with a variable expiry: an upload in progress never expires, a finished one
 * {@code retention} after it finished (Caffeine's scheduler removes it then, or the next read finds it gone).
 * The number of entries is capped: an upload that would exceed the cap evicts the entry that finished first (the
 * one closest to its expiry), and if every entry is still uploading, the new upload is not tracked (it reads as
 * {@code starting}) and a warning is logged. Caffeine's own size bound is not used: it would evict by how often an
 * entry is read, uploads in progress included. Active entries are bounded by open connections anyway, since a
 * closed connection finishes its upload.
 */
public final class InMemoryUploadProgressStore implements UploadProgressStore, AutoCloseable {

	private static final Log logger = LogFactory.getLog(InMemoryUploadProgressStore.class);

	private final Cache<String, Entry> entries;

	private final Policy.VarExpiration<String, Entry> expiration;

	private final int maxEntries;

	private final LongSupplier nanoClock;

	/**
	 * Create a store whose finished entries are removed on time by Caffeine's scheduler.
	 * @param retention how long finished entries stay
	 * @param maxEntries the most entries kept
	 */
	public InMemoryUploadProgressStore(Duration retention, int maxEntries) {
		this(retention, maxEntries, System::nanoTime, true);
	}

	/**
	 * Create a store on a clock of its own.
	 * @param retention how long finished entries stay
	 * @param maxEntries the most entries kept
	 * @param nanoClock the clock, in nanoseconds
	 * @param scheduled whether expired entries are removed on time (else by the next reads and writes)
	 */
	InMemoryUploadProgressStore(Duration retention, int maxEntries, LongSupplier nanoClock, boolean scheduled) {
		if (maxEntries < 1) {
			throw new IllegalArgumentException("maxEntries must be at least 1, not " + maxEntries);
		}
		this.maxEntries = maxEntries;
		this.nanoClock = nanoClock;
		Caffeine<Object, Object> builder = Caffeine.newBuilder()
			.ticker(nanoClock::getAsLong)
			.recordStats();
		if (scheduled) {
			builder.scheduler(Scheduler.systemScheduler());
		}
		this.entries = builder.expireAfter(new RetainedAfterFinish(retention.toNanos())).build();
		this.expiration = this.entries.policy().expireVariably().orElseThrow();
	}

	@Override
	public void start(String id, long size) {
		Entry entry = new Entry(id, size);
		Entry previous = this.entries.getIfPresent(id);
		if (previous == null && this.entries.estimatedSize() >= this.maxEntries && !evictOldestFinished()) {
			logger.warn("Upload progress store is full (" + this.maxEntries + " uploads in progress): not tracking "
					+ id);
			return;
		}
		this.entries.put(id, entry);
	}

	@Override
	public void update(String id, long received) {
		Entry entry = this.entries.getIfPresent(id);
		if (entry != null && !entry.state.isFinished()) {
			entry.received = received;
			entry.state = UploadState.UPLOADING;
		}
	}

	@Override
	public void done(String id, long received) {
		finish(id, received, UploadState.DONE, 0);
	}

	@Override
	public void failed(String id, long received, int status) {
		finish(id, received, UploadState.ERROR, status);
	}

	private void finish(String id, long received, UploadState state, int status) {
		// A write through the cache, so that the entry's expiry is computed again: from now on, the retention.
		this.entries.asMap().computeIfPresent(id, (key, entry) -> {
			if (!entry.state.isFinished()) {
				entry.received = received;
				entry.status = status;
				entry.finishedAt = this.nanoClock.getAsLong();
				entry.state = state;
			}
			return entry;
		});
	}

	@Override
	public Mono<UploadProgress> find(String id) {
		return Mono.just(progress(id));
	}

	@Override
	public Mono<Map<String, UploadProgress>> inProgress() {
		Map<String, UploadProgress> uploads = new TreeMap<>();
		this.entries.asMap().forEach((id, entry) -> {
			UploadProgress progress = entry.snapshot();
			if (progress.state() == UploadState.STARTING || progress.state() == UploadState.UPLOADING) {
				uploads.put(id, progress);
			}
		});
		return Mono.just(uploads);
	}

	/**
	 * Return the progress of an upload, without Reactor.
	 * @param id the progress id
	 * @return its progress, or {@link UploadProgress#STARTING}
	 */
	public UploadProgress progress(String id) {
		Entry entry = this.entries.getIfPresent(id);
		return (entry != null) ? entry.snapshot() : UploadProgress.STARTING;
	}

	/**
	 * Return the progress of an upload this store knows, or {@code null}: unlike {@link #progress(String)}, tells an
	 * upload registered without a byte yet from an id nobody uses.
	 * @param id the progress id
	 */
	@Nullable UploadProgress known(String id) {
		Entry entry = this.entries.getIfPresent(id);
		return (entry != null) ? entry.snapshot() : null;
	}

	@Override
	public Mono<UploadProgressStoreStatus> status() {
		return Mono.just(new UploadProgressStoreStatus(true, Map.of("store", "memory", "entries", (int) this.entries.estimatedSize())));
	}

	/**
	 * Return the number of entries, finished ones included, after removing those that expired.
	 */
	public int size() {
		this.entries.cleanUp();
		return (int) this.entries.estimatedSize();
	}

	/**
	 * Return the Caffeine cache underneath, for its statistics (Micrometer's {@code CaffeineCacheMetrics}).
	 */
	public Cache<?, ?> nativeCache() {
		return this.entries;
	}

	private boolean evictOldestFinished() {
		// Finished entries expire in the order they finished, and uploads in progress never: the entry closest to
		// its expiry is the one that finished first, if any did.
		for (Map.Entry<String, Entry> oldest : this.expiration.oldest(1).entrySet()) {
			if (oldest.getValue().state.isFinished() && this.entries.asMap().remove(oldest.getKey(), oldest.getValue())) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void close() {
		this.entries.invalidateAll();
	}

	/**
	 * An upload in progress never expires; a finished one {@code retention} after it finished.
	 */
	private record RetainedAfterFinish(long retentionNanos) implements Expiry<String, Entry> {

		@Override
		public long expireAfterCreate(String id, Entry entry, long currentTime) {
			return entry.state.isFinished() ? Math.max(0, this.retentionNanos - (currentTime - entry.finishedAt))
					: Long.MAX_VALUE;
		}

		@Override
		public long expireAfterUpdate(String id, Entry entry, long currentTime, long currentDuration) {
			return expireAfterCreate(id, entry, currentTime);
		}

		@Override
		public long expireAfterRead(String id, Entry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

	private static final class Entry {

		final String id;

		final long size;

		// Written by the event loop of the upload only; read by any thread.
		volatile long received;

		volatile int status;

		volatile long finishedAt;

		volatile UploadState state = UploadState.STARTING;

		Entry(String id, long size) {
			this.id = id;
			this.size = size;
		}

		UploadProgress snapshot() {
			UploadState current = this.state;
			return new UploadProgress(current, this.received, this.size, this.status);
		}

	}

}
