package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * What a single {@code stat} said about a file: its real path, size, modification time, identity and the entity
 * tag derived from them. Everything that decides a response (conditional requests, ranges, Content-Length) reads
 * this snapshot, so the event loop never has to ask the file system again.
 * <p>A snapshot found below a {@link FileRoot} knows that root: {@link OpenFile#open(FileSnapshot)} opens the file
 * by walking from it without following symlinks, and compares the opened file's identity with this snapshot.
 *
 * @param path the real path (symlinks resolved)
 * @param size the size in bytes
 * @param lastModified the modification time
 * @param directory whether the path is a directory
 * @param etag the strong entity tag, quoted
 * @param fileKey the file's identity (device and inode on Unix), or {@code null} if the file system has none
 * @param root the real path of the root the file was found below, or {@code null} if it was not looked up in one
 */
public record FileSnapshot(Path path, long size, Instant lastModified, boolean directory, String etag,
		@Nullable Object fileKey,
		@Nullable Path root) {

	public FileSnapshot {
		Objects.requireNonNull(path, "path");
		Objects.requireNonNull(lastModified, "lastModified");
		Objects.requireNonNull(etag, "etag");
	}

	/**
	 * A snapshot of a file with no known identity and no root: a file this server wrote itself (a compressed copy,
	 * a bundle), whose validators are those of what it encodes rather than its own. Opening it checks its size only.
	 */
	public FileSnapshot(Path path, long size, Instant lastModified, boolean directory, String etag) {
		this(path, size, lastModified, directory, etag, null, null);
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
		return of(path, attributes, null);
	}

	/**
	 * Build a snapshot from attributes the caller has already read, for a file found below a root.
	 * @param path the real path
	 * @param attributes its attributes
	 * @param root the real path of the root, or {@code null}
	 */
	public static FileSnapshot of(Path path, BasicFileAttributes attributes, @Nullable Path root) {
		Instant modified = attributes.lastModifiedTime().toInstant();
		// Size, modification time (to the millisecond, finer than Last-Modified) and the inode, like lighttpd's
		// etag.use-inode/use-mtime/use-size: a file replaced within the same second still gets a new tag.
		Object fileKey = attributes.fileKey();
		String etag = "\"" + Long.toHexString(modified.toEpochMilli()) + "-" + Long.toHexString(attributes.size())
				+ ((fileKey != null) ? "-" + Integer.toHexString(fileKey.hashCode()) : "") + "\"";
		return new FileSnapshot(path, attributes.size(), modified, attributes.isDirectory(), etag, fileKey, root);
	}

	/**
	 * Return this snapshot with another entity tag: the same file, sent as another representation.
	 */
	public FileSnapshot withEtag(String otherEtag) {
		return new FileSnapshot(this.path, this.size, this.lastModified, this.directory, otherEtag, this.fileKey,
				this.root);
	}

	/**
	 * Whether attributes read later describe the same file as this snapshot: same identity, size and modification
	 * time. A file replaced (a new inode), rewritten or touched since is not the same.
	 */
	public boolean sameFileAs(BasicFileAttributes attributes) {
		if (this.fileKey == null) {
			// No identity to compare (see the five-argument constructor): its modification time is not its own.
			return this.size == attributes.size() && this.directory == attributes.isDirectory();
		}
		return Objects.equals(this.fileKey, attributes.fileKey()) && this.size == attributes.size()
				&& this.lastModified.equals(attributes.lastModifiedTime().toInstant())
				&& this.directory == attributes.isDirectory();
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
		public boolean equals(@Nullable Object other) {
			return (this == other) || (other instanceof SnapshotResource that && this.snapshot.equals(that.snapshot));
		}

		@Override
		public int hashCode() {
			return this.snapshot.hashCode();
		}

	}

}
