package dev.lighttpdboot.files;

import java.nio.file.Path;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The last {@code lstat} of one kept file's path, shared by the requests that asked before it began. A file changed
 * before a request asked was changed before such an {@code lstat} began, so the change is in what it saw: the
 * requests of one event-loop turn, whose checks run one after the other in one hop to the file-system scheduler,
 * cost one {@code lstat} together rather than one each, and a changed file is still never trusted.
 */
final class SharedCheck {

	private final Path path;

	private final LongSupplier nanoClock;

	private volatile @Nullable Check last;

	/**
	 * @param path the real path to check
	 * @param nanoClock the clock requests tell when they asked by ({@link System#nanoTime()})
	 */
	SharedCheck(Path path, LongSupplier nanoClock) {
		this.path = path;
		this.nanoClock = nanoClock;
	}

	/**
	 * Return what an {@code lstat} of the path begun after {@code askedAt} saw: the last one made, if it began
	 * after, else a new one. This may block: call it on the file-system scheduler.
	 * @return the stamp, or {@code null} if no regular file is there
	 */
	@Nullable FileStamp seenAfter(long askedAt) {
		Check last = this.last;
		if (last != null && last.begunAt - askedAt > 0) {
			return last.seen;
		}
		// Read before the lstat begins: the lstat sees the file as it is at this time or later.
		long begunAt = this.nanoClock.getAsLong();
		FileStamp seen = FileStamp.of(this.path);
		// Checks made at once on several threads may store theirs in any order: each stored check is true of the
		// time it began, which is all a request that asked before that time needs.
		this.last = new Check(begunAt, seen);
		return seen;
	}

	/**
	 * Return what the last {@code lstat} of the path saw if it began after {@code since}, without making one: this
	 * never blocks.
	 * @return the stamp, or {@code null} if no {@code lstat} began after {@code since} or the last one saw no
	 * regular file there
	 */
	@Nullable FileStamp lastSeenAfter(long since) {
		Check last = this.last;
		return (last != null && last.begunAt - since > 0) ? last.seen : null;
	}

	/**
	 * Return when the last check began, or {@code since} if none began after it.
	 */
	long lastBegunAfter(long since) {
		Check last = this.last;
		return (last != null && last.begunAt - since > 0) ? last.begunAt : since;
	}

	/**
	 * An {@code lstat}: when it began (nano time) and what it saw ({@code null}: no regular file there).
	 */
	private record Check(long begunAt, @Nullable FileStamp seen) {

	}

}
