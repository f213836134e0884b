package dev.lighttpdboot.uploadprogress;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps upload progress in this JVM: right for one node, or for nodes where the load balancer sends the progress
 * requests of an upload to the node receiving it.
 * <p>
 * Finished entries are removed {@code retention} after they finished, by a sweep that runs every quarter of the
 * retention, at least once a second and at most every 10 ms.
 * The number of entries is capped: an upload that would exceed the cap evicts the entry that finished first, and
 * if every entry is still uploading, the new upload is not tracked (it reads as {@code starting}) and a warning is
 * logged. Active entries are bounded by open connections anyway, since a closed connection finishes its upload.
 */
public final class InMemoryUploadProgressStore implements UploadProgressStore, AutoCloseable {

	private static final Log logger = LogFactory.getLog(InMemoryUploadProgressStore.class);

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	/** Finished entries in the order they finished: the head is the first to expire or be evicted. */
	private final Queue<Entry> finished = new ConcurrentLinkedQueue<>();

	private final long retentionNanos;

	private final int maxEntries;

	private final LongSupplier nanoClock;

	private final Disposable sweeper;

	/**
	 * Create a store that sweeps on Reactor's parallel scheduler.
	 * @param retention how long finished entries stay
	 * @param maxEntries the most entries kept
	 */
	public InMemoryUploadProgressStore(Duration retention, int maxEntries) {
		this(retention, maxEntries, System::nanoTime, true);
	}

	InMemoryUploadProgressStore(Duration retention, int maxEntries, LongSupplier nanoClock, boolean sweep) {
		if (maxEntries < 1) {
			throw new IllegalArgumentException("maxEntries must be at least 1, not " + maxEntries);
		}
		this.retentionNanos = retention.toNanos();
		this.maxEntries = maxEntries;
		this.nanoClock = nanoClock;
		long period = Math.max(10, Math.min(1000, retention.toMillis() / 4));
		this.sweeper = sweep ? Schedulers.parallel()
			.schedulePeriodically(this::removeExpired, period, period, TimeUnit.MILLISECONDS) : null;
	}

	@Override
	public void start(String id, long size) {
		Entry entry = new Entry(id, size);
		Entry previous = this.entries.get(id);
		if (previous == null && this.entries.size() >= this.maxEntries && !evictOldestFinished()) {
			logger.warn("Upload progress store is full (" + this.maxEntries + " uploads in progress): not tracking "
					+ id);
			return;
		}
		this.entries.put(id, entry);
	}

	@Override
	public void update(String id, long received) {
		Entry entry = this.entries.get(id);
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
		Entry entry = this.entries.get(id);
		if (entry == null || entry.state.isFinished()) {
			return;
		}
		entry.received = received;
		entry.status = status;
		entry.finishedAt = this.nanoClock.getAsLong();
		entry.state = state;
		this.finished.add(entry);
	}

	@Override
	public Mono<UploadProgress> find(String id) {
		return Mono.just(progress(id));
	}

	@Override
	public Mono<Map<String, UploadProgress>> inProgress() {
		Map<String, UploadProgress> uploads = new java.util.TreeMap<>();
		this.entries.forEach((id, entry) -> {
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
		Entry entry = this.entries.get(id);
		return (entry != null) ? entry.snapshot() : UploadProgress.STARTING;
	}

	/**
	 * Return the progress of an upload this store knows, or {@code null}: unlike {@link #progress(String)}, tells an
	 * upload registered without a byte yet from an id nobody uses.
	 * @param id the progress id
	 */
	UploadProgress known(String id) {
		Entry entry = this.entries.get(id);
		return (entry != null) ? entry.snapshot() : null;
	}

	@Override
	public Mono<UploadProgressStoreStatus> status() {
		return Mono.just(new UploadProgressStoreStatus(true, Map.of("store", "memory", "entries", this.entries.size())));
	}

	/**
	 * Return the number of entries, finished ones included.
	 */
	public int size() {
		return this.entries.size();
	}

	/**
	 * Remove the entries that finished more than {@code retention} ago.
	 */
	void removeExpired() {
		long now = this.nanoClock.getAsLong();
		Entry head;
		while ((head = this.finished.peek()) != null && now - head.finishedAt >= this.retentionNanos) {
			// Not poll(): an event loop evicting for a new upload may have taken this head meanwhile, and poll()
			// would then remove the next entry, which has not expired. remove() finds a head that is still there at once.
			if (this.finished.remove(head)) {
				// A re-used id maps to a newer entry by now: leave that one alone.
				this.entries.remove(head.id, head);
			}
		}
	}

	private boolean evictOldestFinished() {
		Entry oldest;
		while ((oldest = this.finished.poll()) != null) {
			if (this.entries.remove(oldest.id, oldest)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void close() {
		if (this.sweeper != null) {
			this.sweeper.dispose();
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
