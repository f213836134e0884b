package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Remembers what {@link FileRoot} lookups found for a short time, as lighttpd's stat cache trusts a {@code stat}
 * for one second. A request for a file found a moment ago is answered from memory on the calling thread (the event
 * loop): no {@code realpath} and {@code stat} system calls, and no round trip through the
 * {@link FileSystemScheduler}, which costs two thread hand-offs per request.
 * <p>The price is a staleness window of at most {@code validity} for metadata: a HEAD or a 304 for a file changed,
 * replaced or removed within it may still be answered from the snapshot taken before (size, modification time,
 * entity tag). Never for bytes: the cache holds no descriptor and no content, and {@link FileDelivery} opens the
 * file the snapshot names with {@link OpenFile}, without following symlinks, and sends it under the snapshot only
 * if it is still that file (else under a snapshot of the file it opened, or 404 if a symlink is there now). Only files and directories that were found are remembered, so a new
 * file is served at once and refusals (symlinks out of the root, hidden files) are decided afresh by every
 * lookup that misses. A validity of zero turns the cache off.
 * <p>Reading the cache never blocks: a Caffeine read and a clock read, and now and then Caffeine's upkeep, done on the
 * calling thread rather than handed to another. Misses and expired entries are looked up on
 * the file-system scheduler and stored from there. Beyond {@code maxEntries}, Caffeine evicts the entries least
 * likely to be asked for again; its statistics (hits, misses, evictions) are recorded for metrics
 * ({@link #nativeCache()}).
 */
public final class StatCache {

	private final FileSystemScheduler fileSystem;

	private final long validityNanos;

	private final int maxEntries;

	private final LongSupplier nanoClock;

	private final Cache<Key, Entry> entries;

	/**
	 * Create a cache.
	 * @param fileSystem the scheduler on which misses are looked up
	 * @param validity how long a lookup is trusted; zero disables the cache
	 * @param maxEntries how many lookups are remembered at most
	 */
	public StatCache(FileSystemScheduler fileSystem, Duration validity, int maxEntries) {
		this(fileSystem, validity, maxEntries, System::nanoTime);
	}

	StatCache(FileSystemScheduler fileSystem, Duration validity, int maxEntries, LongSupplier nanoClock) {
		if (validity.isNegative()) {
			throw new IllegalArgumentException("validity must not be negative");
		}
		this.fileSystem = fileSystem;
		this.validityNanos = validity.toNanos();
		this.maxEntries = Math.max(1, maxEntries);
		this.nanoClock = nanoClock;
		this.entries = Caffeine.newBuilder()
			.maximumSize(this.maxEntries)
			.expireAfter(new TrustedFromLookup(this.validityNanos))
			.ticker(nanoClock::getAsLong)
			// Caffeine's upkeep (replaying reads, expiring, evicting) runs where it is due, a little at a time: by
			// default it is a task for the common fork-join pool every few reads, a thread woken and switched to,
			// which cost more per request on the event loop than the upkeep itself. On the event loop only a read
			// triggers it, which never waits for the cache's lock (it tries it); writes happen on the file-system
			// scheduler.
			.executor(Runnable::run)
			.recordStats()
			.build();
	}

	/**
	 * A cache that remembers nothing: every lookup goes to the file system.
	 */
	public static StatCache disabled(FileSystemScheduler fileSystem) {
		return new StatCache(fileSystem, Duration.ZERO, 1);
	}

	/**
	 * Look up a request path below a root, from the cache when a fresh entry exists, else on the file-system
	 * scheduler (continuing on the request's event loop, see {@link FileSystemScheduler#call(ServerHttpRequest,
	 * java.util.concurrent.Callable)}).
	 * @param request the request, whose event loop receives the result of a miss
	 * @param root the root to look in
	 * @param path the checked request path
	 * @return the file or directory, or empty if nothing is there (or it is hidden); an error
	 * {@link PathRefusedException} if the real path leaves the root
	 */
	public Mono<FileSnapshot> lookup(ServerHttpRequest request, FileRoot root, SafePath path) {
		return lookup(request, root, path.toString(), () -> root.lookup(path));
	}

	/**
	 * Return what a lookup of a request path found, if the cache holds a fresh entry for it; never touches the
	 * file system, so it may be called on an event loop.
	 * @param root the root to look in
	 * @param path the checked request path
	 * @return the file or directory a lookup found within the validity, or {@code null}
	 */
	public @Nullable FileSnapshot cached(FileRoot root, SafePath path) {
		if (this.validityNanos == 0) {
			return null;
		}
		Entry entry = this.entries.getIfPresent(new Key(root, path.toString()));
		return (entry != null) ? entry.snapshot() : null;
	}

	/**
	 * Return what a lookup of a path already resolved against a root found (a gateway's SCRIPT_FILENAME), if the
	 * cache holds a fresh entry for it; never touches the file system, so it may be called on an event loop.
	 * @param root the root to look in
	 * @param candidate the path, as given to {@link #lookup(ServerHttpRequest, FileRoot, Path)}
	 * @return the file or directory a lookup found within the validity, or {@code null}
	 */
	public @Nullable FileSnapshot cached(FileRoot root, Path candidate) {
		if (this.validityNanos == 0) {
			return null;
		}
		Entry entry = this.entries.getIfPresent(new Key(root, candidate.toString()));
		return (entry != null) ? entry.snapshot() : null;
	}

	/**
	 * Look up a file below a root by a path already resolved against it (a gateway's SCRIPT_FILENAME), as
	 * {@link #lookup(ServerHttpRequest, FileRoot, SafePath)} does.
	 * @param request the request, whose event loop receives the result of a miss
	 * @param root the root to look in
	 * @param candidate the path, absolute or relative to the root
	 * @return the file or directory, or empty if nothing is there; an error {@link PathRefusedException} if the
	 * real path leaves the root
	 */
	public Mono<FileSnapshot> lookup(ServerHttpRequest request, FileRoot root, Path candidate) {
		return lookup(request, root, candidate.toString(), () -> root.lookup(candidate));
	}

	private Mono<FileSnapshot> lookup(ServerHttpRequest request, FileRoot root, String name, Lookup lookup) {
		if (this.validityNanos == 0) {
			return this.fileSystem.call(request, () -> lookup.find().orElse(null));
		}
		Key key = new Key(root, name);
		// Caffeine does not return an entry whose validity has run out.
		Entry entry = this.entries.getIfPresent(key);
		if (entry != null) {
			return Mono.just(entry.snapshot());
		}
		return this.fileSystem.call(request, () -> {
			// The clock is read before the system calls: the entry is trusted from when the file was seen, not
			// from when the answer arrived.
			long lookedUpAt = this.nanoClock.getAsLong();
			FileSnapshot snapshot = lookup.find().orElse(null);
			if (snapshot != null) {
				this.entries.put(key, new Entry(snapshot, lookedUpAt));
			}
			else {
				this.entries.invalidate(key);
			}
			return snapshot;
		});
	}

	@FunctionalInterface
	private interface Lookup {

		Optional<FileSnapshot> find() throws IOException;

	}

	/**
	 * Return the Caffeine cache underneath, for its statistics (Micrometer's {@code CaffeineCacheMetrics}).
	 */
	public Cache<?, ?> nativeCache() {
		return this.entries;
	}

	/**
	 * Return the number of remembered lookups, fresh or not.
	 */
	long size() {
		this.entries.cleanUp();
		return this.entries.estimatedSize();
	}

	private record Key(FileRoot root, String path) {
	}

	private record Entry(FileSnapshot snapshot, long lookedUpAt) {
	}

	/**
	 * An entry is trusted for the validity from when the file was seen, not from when the answer was stored.
	 */
	private record TrustedFromLookup(long validityNanos) implements Expiry<Key, Entry> {

		@Override
		public long expireAfterCreate(Key key, Entry entry, long currentTime) {
			return Math.max(0, this.validityNanos - (currentTime - entry.lookedUpAt()));
		}

		@Override
		public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
			return expireAfterCreate(key, entry, currentTime);
		}

		@Override
		public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
