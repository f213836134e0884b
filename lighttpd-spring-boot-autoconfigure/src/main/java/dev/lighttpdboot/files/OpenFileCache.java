package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.netty.util.IllegalReferenceCountException;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Descriptors of files sent with {@code sendfile(2)}, kept open between requests, so that a file asked for often is
 * not opened (a walk of {@code openat} calls, and a hop of its own to the file-system scheduler) and closed for
 * every request. This is nginx's {@code open_file_cache}, and what lighttpd's stat cache does with the descriptors
 * of the files it sends.
 * <p>Bounded twice: at most {@code maxFiles} descriptors are kept, and beyond it the one asked for least recently
 * is let go; a descriptor nobody asked for during {@code inactive} is let go by {@link #sweep()}, so that neither a
 * file nobody wants nor the space of a deleted file is held for long. Letting go gives back this cache's hold: the
 * descriptor closes when the last response still sending from it is done.
 * <p>A descriptor is kept only as {@link OpenFile} opened it (no symlink followed on the way, compared with the
 * lookup), under the identity of the file at its real path taken right after the open: device and inode, size,
 * modification time and status-change time. Every request checks that identity again with an {@code lstat} of the
 * real path begun after the request asked, on the file-system scheduler, shared by the requests that asked before
 * it began ({@link SharedCheck}): a file rewritten, touched, replaced, removed or swapped for a symlink is let go at
 * once and opened again (or refused) for the request, as if nothing were kept. A match means the same inode that
 * was opened, below its root, through the checked walk.
 * <p>With a check validity above zero (opt-in, nginx's {@code open_file_cache_valid}), a request that asks within
 * that time after the last {@code lstat} of a file began, and that {@code lstat} found the file unchanged, gets the
 * descriptor without a check of its own and so without a hop ({@link #findRecentlyChecked}): a file changed within
 * that time may still be sent from the descriptor of the file that was there.
 */
public final class OpenFileCache implements Disposable {

	private static final OpenFileCache DISABLED = new OpenFileCache(0, Duration.ZERO);

	private final int maxFiles;

	private final long inactiveNanos;

	private final LongSupplier nanoClock;

	private final long checkValidityNanos;

	private final ConcurrentHashMap<Path, Entry> entries = new ConcurrentHashMap<>();

	private final CacheCounts counts = new CacheCounts();

	/** Guarded by {@code this}. */
	private boolean disposed;

	/** Guarded by {@code this}. */
	private @Nullable Disposable sweeping;

	/**
	 * Create a cache.
	 * @param maxFiles the descriptors kept at most; 0 keeps none
	 * @param inactive how long a descriptor nobody asks for is kept
	 */
	public OpenFileCache(int maxFiles, Duration inactive) {
		this(maxFiles, inactive, Duration.ZERO);
	}

	/**
	 * Create a cache whose checks are trusted for a while.
	 * @param maxFiles the descriptors kept at most; 0 keeps none
	 * @param inactive how long a descriptor nobody asks for is kept
	 * @param checkValidity how long a check that found a file unchanged answers later requests without a check of
	 * their own; zero checks for every request
	 */
	public OpenFileCache(int maxFiles, Duration inactive, Duration checkValidity) {
		this(maxFiles, inactive, System::nanoTime, checkValidity);
	}

	OpenFileCache(int maxFiles, Duration inactive, LongSupplier nanoClock) {
		this(maxFiles, inactive, nanoClock, Duration.ZERO);
	}

	OpenFileCache(int maxFiles, Duration inactive, LongSupplier nanoClock, Duration checkValidity) {
		if (maxFiles < 0 || inactive.isNegative() || checkValidity.isNegative()) {
			throw new IllegalArgumentException("limits must not be negative");
		}
		this.maxFiles = maxFiles;
		this.inactiveNanos = inactive.toNanos();
		this.nanoClock = nanoClock;
		this.checkValidityNanos = checkValidity.toNanos();
	}

	/**
	 * A cache that keeps nothing: every file is opened for its request and closed after it.
	 */
	public static OpenFileCache disabled() {
		return DISABLED;
	}

	/**
	 * Whether this cache would keep a file's descriptor: a regular, non-empty file with an identity.
	 */
	public boolean accepts(FileSnapshot file) {
		return this.maxFiles > 0 && file.size() > 0 && !file.directory() && file.fileKey() != null;
	}

	/**
	 * Return a hold on the kept descriptor of a file, if it is kept and the file is still the one that was opened,
	 * as seen by an {@code lstat} of the real path begun after {@code askedAt}; a descriptor whose file changed is
	 * let go. This may block: call it on the file-system scheduler.
	 * @param file the file as a lookup described it (possibly a while ago, by the stat cache)
	 * @param askedAt when the request asked for the file, as {@link System#nanoTime()} told on any thread after the
	 * request arrived
	 * @return the open file, described by {@code file}, which the caller closes; or {@code null}
	 */
	public @Nullable OpenFile find(FileSnapshot file, long askedAt) {
		Entry entry = this.entries.get(file.path());
		if (entry != null && entry.stamp.describes(file)) {
			if (entry.stamp.equals(entry.check.seenAfter(askedAt))) {
				OpenFile held = hold(entry, file);
				if (held != null) {
					return held;
				}
			}
			else {
				letGo(entry);
			}
		}
		this.counts.miss();
		return null;
	}

	/**
	 * Return a hold on the kept descriptor of a file without checking it now: only if it is kept and the last
	 * {@code lstat} of the real path, begun less than the check validity before {@code askedAt}, found the file
	 * unchanged. This never blocks: a request answered here needs no hop to the file-system scheduler. With a check
	 * validity of zero it finds nothing.
	 * @param file the file as a lookup described it
	 * @param askedAt when the request asked for the file, as {@link System#nanoTime()} told
	 * @return the open file, described by {@code file}, which the caller closes; or {@code null}: then
	 * {@link #find(FileSnapshot, long)} checks
	 */
	public @Nullable OpenFile findRecentlyChecked(FileSnapshot file, long askedAt) {
		if (this.checkValidityNanos == 0) {
			return null;
		}
		Entry entry = this.entries.get(file.path());
		if (entry != null && entry.stamp.describes(file)
				&& entry.stamp.equals(entry.check.lastSeenAfter(askedAt - this.checkValidityNanos))) {
			return hold(entry, file);
		}
		return null;
	}

	private @Nullable OpenFile hold(Entry entry, FileSnapshot file) {
		try {
			OpenFile.Descriptor descriptor = entry.descriptor.retain();
			this.counts.hit();
			return OpenFile.holding(descriptor, file);
		}
		catch (IllegalReferenceCountException ex) {
			// Let go and closed between the map read and the retain: a miss like any other.
			return null;
		}
	}

	/**
	 * Open a file as {@link OpenFile#open(FileSnapshot)} opens it and keep its descriptor, replacing the one kept
	 * for its path, if the name still leads to the opened file and the file is one this cache accepts. This
	 * blocks: call it on the file-system scheduler.
	 * @return the open file, which the caller closes (a kept descriptor stays open for the cache), or {@code null}
	 * if nothing that may be sent is there any more
	 * @throws IOException as {@link OpenFile#open(FileSnapshot)} does
	 */
	public @Nullable OpenFile open(FileSnapshot file) throws IOException {
		OpenFile opened = OpenFile.open(file);
		if (opened == null || !accepts(opened.snapshot())) {
			return opened;
		}
		FileSnapshot snapshot = opened.snapshot();
		FileStamp stamp = FileStamp.of(snapshot.path());
		if (stamp != null && stamp.describes(snapshot)) {
			keep(snapshot.path(), stamp, opened.descriptor());
		}
		return opened;
	}

	private synchronized void keep(Path path, FileStamp stamp, OpenFile.Descriptor descriptor) {
		if (this.disposed) {
			return;
		}
		Entry entry = new Entry(path, stamp, descriptor.retain(), new SharedCheck(path, this.nanoClock),
				this.nanoClock.getAsLong());
		Entry replaced = this.entries.put(path, entry);
		if (replaced != null) {
			replaced.descriptor.release();
		}
		while (this.entries.size() > this.maxFiles) {
			Entry oldest = leastRecentlyAskedFor(entry);
			if (oldest == null) {
				break;
			}
			if (letGo(oldest)) {
				this.counts.evicted();
			}
		}
	}

	/**
	 * The entry asked for least recently, other than the one just kept. A scan: it runs only when a file is opened
	 * with the cache full, next to an open that costs far more.
	 */
	private @Nullable Entry leastRecentlyAskedFor(Entry added) {
		Entry oldest = null;
		long oldestAt = 0;
		for (Entry entry : this.entries.values()) {
			long at = entry.lastAskedFor();
			if (entry != added && (oldest == null || at - oldestAt < 0)) {
				oldest = entry;
				oldestAt = at;
			}
		}
		return oldest;
	}

	/**
	 * Give back the cache's hold on an entry's descriptor, once, if it is still the one kept for its path.
	 */
	private boolean letGo(Entry entry) {
		if (this.entries.remove(entry.path, entry)) {
			entry.descriptor.release();
			return true;
		}
		return false;
	}

	/**
	 * Let go of every descriptor nobody asked for during the inactive time. Never blocks for long: the descriptors
	 * close when the last response sending from each is done.
	 */
	public void sweep() {
		long now = this.nanoClock.getAsLong();
		for (Entry entry : this.entries.values()) {
			if (now - entry.lastAskedFor() >= this.inactiveNanos) {
				letGo(entry);
			}
		}
	}

	/**
	 * Sweep periodically, a quarter of the inactive time apart, on a scheduler that may block, until disposed.
	 * @param fileSystem where each sweep runs
	 */
	public synchronized void sweepOn(Scheduler fileSystem) {
		if (this.disposed || this.sweeping != null || this.maxFiles == 0) {
			return;
		}
		long period = Math.max(TimeUnit.NANOSECONDS.toMillis(this.inactiveNanos) / 4, 100);
		this.sweeping = Schedulers.parallel().schedulePeriodically(() -> {
			try {
				fileSystem.schedule(this::sweep);
			}
			catch (RejectedExecutionException ex) {
				// Saturated or shut down: the next period sweeps.
			}
		}, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * Return how this cache was used.
	 */
	public CacheCounts counts() {
		return this.counts;
	}

	/**
	 * Return the number of descriptors kept.
	 */
	public int entries() {
		return this.entries.size();
	}

	/**
	 * Let go of every descriptor, keep none from now on, and stop sweeping.
	 */
	@Override
	public synchronized void dispose() {
		this.disposed = true;
		if (this.sweeping != null) {
			this.sweeping.dispose();
		}
		for (Entry entry : this.entries.values()) {
			letGo(entry);
		}
	}

	@Override
	public synchronized boolean isDisposed() {
		return this.disposed;
	}

	private static final class Entry {

		final Path path;

		final FileStamp stamp;

		final OpenFile.Descriptor descriptor;

		final SharedCheck check;

		final long keptAt;

		Entry(Path path, FileStamp stamp, OpenFile.Descriptor descriptor, SharedCheck check, long keptAt) {
			this.path = path;
			this.stamp = stamp;
			this.descriptor = descriptor;
			this.check = check;
			this.keptAt = keptAt;
		}

		/** When a request last checked this file (it began its check then), or when it was kept. */
		long lastAskedFor() {
			return this.check.lastBegunAfter(this.keptAt);
		}

	}

}
