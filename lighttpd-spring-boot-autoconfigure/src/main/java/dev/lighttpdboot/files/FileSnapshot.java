package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * What a single {@code stat} said about a file: its real path, size, modification time and the entity tag derived
 * from them. Everything that decides a response (conditional requests, ranges, Content-Length) reads this
 * snapshot, so the event loop never has to ask the file system again.
 *
 * @param path the real path (symlinks resolved)
 * @param size the size in bytes
 * @param lastModified the modification time
 * @param directory whether the path is a directory
 * @param etag the strong entity tag, quoted
 */
public record FileSnapshot(Path path, long size, Instant lastModified, boolean directory, String etag) {

	public FileSnapshot {
		Objects.requireNonNull(path, "path");
		Objects.requireNonNull(lastModified, "lastModified");
		Objects.requireNonNull(etag, "etag");
	}

	/**
	 * Stat a file. This blocks: call it on a scheduler meant for file-system work, never on an event loop.
	 * @param path the path, whose symlinks are followed
	 * @return the snapshot
	 * @throws IOException if the file cannot be read, including {@link java.nio.file.NoSuchFileException}
	 */
	public static FileSnapshot stat(Path path) throws IOException {
		return of(path, Files.readAttributes(path, BasicFileAttributes.class));
	}

	/**
	 * Build a snapshot from attributes the caller has already read.
	 */
	public static FileSnapshot of(Path path, BasicFileAttributes attributes) {
		Instant modified = attributes.lastModifiedTime().toInstant();
		// Size, modification time (to the millisecond, finer than Last-Modified) and the inode, like lighttpd's
		// etag.use-inode/use-mtime/use-size: a file replaced within the same second still gets a new tag.
		Object fileKey = attributes.fileKey();
		String etag = "\"" + Long.toHexString(modified.toEpochMilli()) + "-" + Long.toHexString(attributes.size())
				+ ((fileKey != null) ? "-" + Integer.toHexString(fileKey.hashCode()) : "") + "\"";
		return new FileSnapshot(path, attributes.size(), modified, attributes.isDirectory(), etag);
	}

	/**
	 * Return the file name of the path, for content-type detection.
	 */
	public String fileName() {
		Path name = this.path.getFileName();
		return (name != null) ? name.toString() : "";
	}

	/**
	 * Return a {@link Resource} view of this file whose length and modification time come from the snapshot, so
	 * Spring's range machinery ({@code HttpRange.toResourceRegions}) does not stat the file again.
	 */
	public Resource asResource() {
		return new SnapshotResource(this);
	}

	private static final class SnapshotResource extends FileSystemResource {

		private final FileSnapshot snapshot;

		SnapshotResource(FileSnapshot snapshot) {
			super(snapshot.path());
			this.snapshot = snapshot;
		}

		@Override
		public long contentLength() {
			return this.snapshot.size();
		}

		@Override
		public long lastModified() {
			return this.snapshot.lastModified().toEpochMilli();
		}

		@Override
		public boolean exists() {
			return true;
		}

		@Override
		public boolean isReadable() {
			return !this.snapshot.directory();
		}

		@Override
		public boolean isFile() {
			return !this.snapshot.directory();
		}

		@Override
		public boolean equals(Object other) {
			return (this == other) || (other instanceof SnapshotResource that && this.snapshot.equals(that.snapshot));
		}

		@Override
		public int hashCode() {
			return this.snapshot.hashCode();
		}

	}

}
