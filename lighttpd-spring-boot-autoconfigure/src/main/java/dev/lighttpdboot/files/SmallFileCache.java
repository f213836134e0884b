package dev.lighttpdboot.files;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * The bytes of small files, kept off-heap so that a small file leaves with its headers in one write instead of a
 * header write followed by {@code sendfile(2)}: for a file of a few kilobytes, opening (a walk of {@code openat}
 * calls), closing and two writes cost more than the copy.
 * <p>Bounded twice: only files up to {@code maxFileSize} are kept, and all kept bytes together stay below
 * {@code maxTotalSize}; beyond it the least recently used files are dropped (a clock: a file read since the hand
 * last passed gets a second chance). Each file is held once, in a direct buffer; every response gets a retained
 * duplicate of it, so any number of responses share one copy, and a dropped file's memory is freed when the last
 * response that still writes it is done.
 * <p>Bytes are filled only from an {@link OpenFile} (the descriptor that was checked, never a second open by name),
 * on the file-system scheduler, and remembered under the identity of the file at its real path: device and inode,
 * size, modification time and status-change time, taken before the bytes are read. Every request checks that
 * identity again with an {@code lstat} of the real path begun after the request asked, on the file-system
 * scheduler: a file rewritten, touched, replaced, or swapped for a symlink is read again (or refused) at once,
 * whatever the stat cache still remembers, as a file sent from its descriptor would be. Requests for one file that
 * all asked before the same {@code lstat} began share it (those of one event-loop turn, whose checks run one after
 * the other in one hop): what it saw is at least as new as each request, so a hot file costs one {@code lstat} per
 * hop rather than one per request. The check follows no final symlink; a match means the same inode the
 * bytes were read from through the checked descriptor, so nothing outside a root can be served from here. Files
 * without an identity (this server's own compressed copies, checked by size only) are not kept.
 * <p>With a check validity above zero (opt-in), a request that asks within that time after the last {@code lstat}
 * of a file began, and that {@code lstat} found the file unchanged, is answered without a check of its own and so
 * without a hop to the file-system scheduler ({@link #findRecentlyChecked}): a file changed within that time may
 * still be answered with the bytes it had, as lighttpd trusts its stat cache for a second.
 */
public final class SmallFileCache implements Disposable {

	private static final SmallFileCache DISABLED = new SmallFileCache(0, 0);

	private final long maxFileSize;

	private final long maxTotalSize;

	private final ByteBufAllocator allocator;

	private final LongSupplier nanoClock;

	private final long checkValidityNanos;

	private final ConcurrentHashMap<Path, Entry> entries = new ConcurrentHashMap<>();

	/** Insertion order for the clock hand; guarded by {@code this}. */
	private final ArrayDeque<Entry> clock = new ArrayDeque<>();

	/** Bytes held; written under {@code this}, read by meters. */
	private volatile long totalSize;

	private boolean disposed;

	private final CacheCounts counts = new CacheCounts();

	/**
	 * Create a cache in unpooled direct memory: its buffers live long, and would pin whole chunks of a pool.
	 * @param maxFileSize the largest file kept, in bytes; 0 keeps none
	 * @param maxTotalSize the bytes kept at most, all files together
	 */
	public SmallFileCache(long maxFileSize, long maxTotalSize) {
		this(maxFileSize, maxTotalSize, Duration.ZERO);
	}

	/**
	 * Create a cache in unpooled direct memory whose checks are trusted for a while.
	 * @param maxFileSize the largest file kept, in bytes; 0 keeps none
	 * @param maxTotalSize the bytes kept at most, all files together
	 * @param checkValidity how long a check that found a file unchanged answers later requests without a check of
	 * their own; zero checks for every request
	 */
	public SmallFileCache(long maxFileSize, long maxTotalSize, Duration checkValidity) {
		this(maxFileSize, maxTotalSize, UnpooledByteBufAllocator.DEFAULT, System::nanoTime, checkValidity);
	}

	SmallFileCache(long maxFileSize, long maxTotalSize, ByteBufAllocator allocator, LongSupplier nanoClock) {
		this(maxFileSize, maxTotalSize, allocator, nanoClock, Duration.ZERO);
	}

	SmallFileCache(long maxFileSize, long maxTotalSize, ByteBufAllocator allocator, LongSupplier nanoClock,
			Duration checkValidity) {
		if (maxFileSize < 0 || maxTotalSize < 0 || checkValidity.isNegative()) {
			throw new IllegalArgumentException("sizes and validity must not be negative");
		}
		// A buffer holds at most Integer.MAX_VALUE bytes.
		this.maxFileSize = Math.min(Math.min(maxFileSize, maxTotalSize), Integer.MAX_VALUE);
		this.maxTotalSize = maxTotalSize;
		this.allocator = allocator;
		this.nanoClock = nanoClock;
		this.checkValidityNanos = checkValidity.toNanos();
	}

	/**
	 * A cache that keeps nothing: every file is sent from its descriptor.
	 */
	public static SmallFileCache disabled() {
		return DISABLED;
	}

	/**
	 * Whether this cache would keep a file: a regular, non-empty file with an identity, no larger than the limit.
	 */
	public boolean accepts(FileSnapshot file) {
		return file.size() > 0 && file.size() <= this.maxFileSize && !file.directory() && file.fileKey() != null;
	}

	/**
	 * Return the bytes of a file if they are kept and the file is still the one they were read from, checked now.
	 * This blocks (one {@code lstat} of the real path): call it on the file-system scheduler.
	 * @param file the file as a lookup described it (possibly a while ago, by the stat cache)
	 * @return the kept bytes with {@code file}, whose validators answer (a representation's own entity tag
	 * included), or {@code null} if nothing is kept for the file or it is not the file there now
	 */
	public @Nullable Kept find(FileSnapshot file) {
		return find(file, this.nanoClock.getAsLong());
	}

	/**
	 * Return the bytes of a file if they are kept and the file is still the one they were read from, as seen by an
	 * {@code lstat} of the real path begun after {@code askedAt}: the last one made, if it began after, else a new
	 * one. This may block: call it on the file-system scheduler.
	 * @param file the file as a lookup described it (possibly a while ago, by the stat cache)
	 * @param askedAt when the request asked for the file, as {@link System#nanoTime()} told on any thread after the
	 * request arrived
	 * @return the kept bytes with {@code file}, whose validators answer (a representation's own entity tag
	 * included), or {@code null} if nothing is kept for the file or it is not the file there now
	 */
	public @Nullable Kept find(FileSnapshot file, long askedAt) {
		Entry entry = this.entries.get(file.path());
		if (entry != null && entry.stamp.describes(file) && entry.stamp.equals(entry.check.seenAfter(askedAt))) {
			Kept kept = retain(entry, file);
			if (kept != null) {
				return kept;
			}
		}
		this.counts.miss();
		return null;
	}

	/**
	 * Return the bytes of a file without checking it now: only if they are kept and the last {@code lstat} of the
	 * real path, begun less than the check validity before {@code askedAt}, found the file unchanged. This never
	 * blocks: a request answered here needs no hop to the file-system scheduler. With a check validity of zero it
	 * finds nothing.
	 * @param file the file as a lookup described it
	 * @param askedAt when the request asked for the file, as {@link System#nanoTime()} told
	 * @return the kept bytes with {@code file}, or {@code null}: then {@link #find(FileSnapshot, long)} checks
	 */
	public @Nullable Kept findRecentlyChecked(FileSnapshot file, long askedAt) {
		if (this.checkValidityNanos == 0) {
			return null;
		}
		Entry entry = this.entries.get(file.path());
		if (entry != null && entry.stamp.describes(file)
				&& entry.stamp.equals(entry.check.lastSeenAfter(askedAt - this.checkValidityNanos))) {
			return retain(entry, file);
		}
		return null;
	}

	private @Nullable Kept retain(Entry entry, FileSnapshot file) {
		try {
			ByteBuf bytes = entry.bytes.retainedDuplicate();
			if (!entry.referenced) {
				// Read before written: a hot file costs no cache-line write per request.
				entry.referenced = true;
			}
			this.counts.hit();
			return new Kept(file, bytes);
		}
		catch (IllegalReferenceCountException ex) {
			// Dropped and freed between the map read and the retain: a miss like any other.
			return null;
		}
	}

	/**
	 * Read a whole open file into memory and keep it, replacing what was kept for its path. This blocks: call it
	 * on the file-system scheduler. The file is not closed.
	 * @param opened the open file, described by its snapshot; it must be {@linkplain #accepts(FileSnapshot)
	 * accepted}
	 * @return the file's bytes, a buffer the caller must release (by writing it); kept only if the name still
	 * leads to the opened file and the cache has not been disposed
	 * @throws IOException if reading fails or the file is shorter than its snapshot says
	 */
	public ByteBuf load(OpenFile opened) throws IOException {
		FileSnapshot file = opened.snapshot();
		if (!accepts(file)) {
			throw new IllegalArgumentException("not a file this cache keeps: " + file.path());
		}
		// Stamped before the bytes are read: a write while or after they are read changes the status-change
		// time, so the next request reads the file again instead of trusting a torn copy.
		FileStamp stamp = FileStamp.of(file.path());
		int size = (int) file.size();
		ByteBuf bytes = this.allocator.directBuffer(size, size);
		try {
			ByteBuffer target = bytes.nioBuffer(0, size);
			while (target.hasRemaining()) {
				if (opened.channel().read(target, target.position()) < 0) {
					throw new EOFException("file ended " + target.remaining() + " bytes early: " + file.path());
				}
			}
			bytes.writerIndex(size);
			if (stamp == null || !stamp.describes(file)) {
				// The name moved on since the open: these bytes answer this request only.
				return bytes;
			}
			return keep(file, stamp, bytes);
		}
		catch (IOException | RuntimeException | Error ex) {
			bytes.release();
			throw ex;
		}
	}

	private synchronized ByteBuf keep(FileSnapshot file, FileStamp stamp, ByteBuf bytes) {
		if (this.disposed) {
			return bytes;
		}
		Entry entry = new Entry(file, stamp, bytes, new SharedCheck(file.path(), this.nanoClock));
		Entry replaced = this.entries.put(file.path(), entry);
		if (replaced != null) {
			this.clock.remove(replaced);
			drop(replaced);
		}
		this.clock.addLast(entry);
		this.totalSize += entry.size;
		while (this.totalSize > this.maxTotalSize) {
			evictOne(entry);
		}
		return bytes.retainedDuplicate();
	}

	private void evictOne(Entry added) {
		while (true) {
			Entry candidate = this.clock.pollFirst();
			if (!this.clock.isEmpty() && (candidate == added || candidate.referenced)) {
				// The file just read is not dropped for the one it is read for; a file read since the hand last
				// passed gets another round.
				candidate.referenced = false;
				this.clock.addLast(candidate);
				continue;
			}
			this.entries.remove(candidate.snapshot.path(), candidate);
			drop(candidate);
			this.counts.evicted();
			return;
		}
	}

	private void drop(Entry entry) {
		this.totalSize -= entry.size;
		// Responses still writing it hold their own references: the memory goes when the last of them is done.
		entry.bytes.release();
	}

	/**
	 * Drop a file's bytes, if kept. Never blocks for long.
	 */
	public synchronized void forget(Path path) {
		Entry entry = this.entries.remove(path);
		if (entry != null) {
			this.clock.remove(entry);
			drop(entry);
		}
	}

	/**
	 * Return the bytes held, all files together.
	 */
	public long size() {
		return this.totalSize;
	}

	/**
	 * Return how this cache was used.
	 */
	public CacheCounts counts() {
		return this.counts;
	}

	/**
	 * Return the number of files held.
	 */
	public int entries() {
		return this.entries.size();
	}

	/**
	 * Return the largest file kept, in bytes.
	 */
	public long maxFileSize() {
		return this.maxFileSize;
	}

	/**
	 * Drop every file and keep none from now on.
	 */
	@Override
	public synchronized void dispose() {
		this.disposed = true;
		for (Entry entry : this.clock) {
			this.entries.remove(entry.snapshot.path(), entry);
			drop(entry);
		}
		this.clock.clear();
	}

	@Override
	public synchronized boolean isDisposed() {
		return this.disposed;
	}

	/**
	 * Kept bytes and the snapshot whose validators answer the request.
	 *
	 * @param snapshot the file as the caller looked it up, which the bytes were found to be
	 * @param bytes a retained duplicate the caller must release (by writing it)
	 */
	public record Kept(FileSnapshot snapshot, ByteBuf bytes) {
	}

	private static final class Entry {

		final FileSnapshot snapshot;

		final FileStamp stamp;

		final long size;

		final ByteBuf bytes;

		volatile boolean referenced;

		/** The check of the path, shared by the requests that asked before it began. */
		final SharedCheck check;

		Entry(FileSnapshot snapshot, FileStamp stamp, ByteBuf bytes, SharedCheck check) {
			this.snapshot = snapshot;
			this.stamp = stamp;
			this.size = snapshot.size();
			this.bytes = bytes;
			this.check = check;
		}

	}

}
