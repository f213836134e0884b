package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What an {@code lstat} of a real path says about the regular file there: its identity, size, modification time
 * and, where the file system has one, status-change time (which nobody can set back, unlike the modification time;
 * both advance with the kernel's clock tick, so two writes within one tick look alike, as they do to an ETag).
 * The caches that keep something of a file (its bytes, its open descriptor) compare it with what they took when
 * they kept it.
 *
 * @param fileKey device and inode
 * @param size the size in bytes
 * @param lastModified the modification time
 * @param changed the status-change time, or {@code null} where the file system gives none
 */
record FileStamp(@Nullable Object fileKey, long size, Instant lastModified, @Nullable Object changed) {

	/**
	 * Stamp the file at a path, without following a final symlink. This blocks: call it on the file-system
	 * scheduler.
	 * @return the stamp, or {@code null} if no regular file is there
	 */
	static @Nullable FileStamp of(Path path) {
		try {
			Map<String, Object> attributes = Files.readAttributes(path,
					"unix:fileKey,size,lastModifiedTime,ctime,isRegularFile", LinkOption.NOFOLLOW_LINKS);
			if (!Boolean.TRUE.equals(attributes.get("isRegularFile"))) {
				return null;
			}
			if (!(attributes.get("size") instanceof Long size)
					|| !(attributes.get("lastModifiedTime") instanceof FileTime modified)) {
				return basic(path);
			}
			return new FileStamp(attributes.get("fileKey"), size, modified.toInstant(), attributes.get("ctime"));
		}
		catch (UnsupportedOperationException | IllegalArgumentException ex) {
			return basic(path);
		}
		catch (IOException ex) {
			// Gone, or no longer reachable: not the kept file.
			return null;
		}
	}

	private static @Nullable FileStamp basic(Path path) {
		try {
			BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			return attributes.isRegularFile() ? new FileStamp(attributes.fileKey(), attributes.size(),
					attributes.lastModifiedTime().toInstant(), null) : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * Whether this stamp is of the file a snapshot describes: same identity, size and modification time.
	 */
	boolean describes(FileSnapshot file) {
		return this.fileKey != null && this.fileKey.equals(file.fileKey()) && this.size == file.size()
				&& this.lastModified.equals(file.lastModified());
	}

}
