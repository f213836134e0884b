package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A file opened for sending, and the snapshot that describes the opened file. Once a path has been checked, the
 * file is opened exactly once, and every byte sent comes from this descriptor: whatever happens to the name
 * afterwards (a symlink swapped in, the file replaced) changes neither the bytes nor the headers of a response.
 * <p>{@link #open(FileSnapshot)} walks the checked real path from the root's directory with
 * {@link SecureDirectoryStream} ({@code openat} with {@code O_NOFOLLOW} on every name, and {@code fstatat} without
 * following), so the opened file lies below the root even if a directory or the file was swapped for a symlink
 * since the check. The opened file's identity (device and inode), size and modification time are compared with
 * the snapshot: the snapshot answers when they match; otherwise the file was replaced or changed since the check
 * and a snapshot of the opened file takes its place, so a new file is never sent under the old ETag or length.
 * <p>Closing is idempotent: the sender closes after the last byte, and whoever opened closes again on completion,
 * error or cancellation. The descriptor itself is reference counted: a {@linkplain #region region} being sent holds
 * it open on its own until Netty releases the region, so a close that comes early (a cancelled response) never
 * closes a descriptor under a {@code sendfile(2)} still queued; and an {@link OpenFileCache} lends one descriptor
 * to many responses, each of which closes only its own hold on it.
 */
public final class OpenFile implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(OpenFile.class);

	private static final Set<? extends OpenOption> READ_NO_FOLLOW = Set.of(StandardOpenOption.READ,
			LinkOption.NOFOLLOW_LINKS);

	private final Descriptor descriptor;

	private final FileSnapshot snapshot;

	private final AtomicBoolean closed = new AtomicBoolean();

	private OpenFile(FileChannel channel, FileSnapshot snapshot) {
		this(new Descriptor(channel, snapshot.path()), snapshot);
	}

	private OpenFile(Descriptor descriptor, FileSnapshot snapshot) {
		this.descriptor = descriptor;
		this.snapshot = snapshot;
	}

	/**
	 * A hold on a descriptor someone else keeps open: closing it gives back the hold.
	 * @param descriptor the descriptor, already retained for this file
	 * @param snapshot what describes the file
	 */
	static OpenFile holding(Descriptor descriptor, FileSnapshot snapshot) {
		return new OpenFile(descriptor, snapshot);
	}

	/**
	 * Return the descriptor, for a cache that keeps it open beyond this file's close; the caller retains it.
	 */
	Descriptor descriptor() {
		return this.descriptor;
	}

	/**
	 * Open a checked file for reading. This blocks: call it on the file-system scheduler.
	 * @param checked the snapshot taken when the path was checked
	 * @return the open file, or {@code null} if nothing that may be sent is there any more (removed, a symlink or
	 * something other than a regular file now)
	 * @throws PathRefusedException with 403 if the file cannot be read
	 * @throws ResponseStatusException with 503 if the file keeps changing while it is opened
	 * @throws IOException if the file system fails otherwise
	 */
	public static @Nullable OpenFile open(FileSnapshot checked) throws IOException {
		if (checked.directory()) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "not a regular file");
		}
		try {
			OpenFile opened = openOnce(checked);
			if (opened == null) {
				// The name and the descriptor disagreed (the file was swapped between openat and fstatat): once
				// more, then give up.
				opened = openOnce(checked);
			}
			if (opened == null) {
				throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "file changes while it is opened");
			}
			return opened;
		}
		catch (NoSuchFileException | NotDirectoryException | NotRegularFileException ex) {
			return null;
		}
		catch (AccessDeniedException ex) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "permission denied");
		}
		catch (FileSystemException ex) {
			// ELOOP from a directory: a name on the checked real path is a symlink now.
			if (FileRoot.namesNothing(ex) || isSymlinkRefused(ex)) {
				return null;
			}
			throw ex;
		}
		catch (IOException ex) {
			// ELOOP from opening the file: the JDK reports it as a plain IOException.
			if (isSymlinkRefused(ex)) {
				return null;
			}
			throw ex;
		}
	}

	private static boolean isSymlinkRefused(IOException ex) {
		String message = ex.getMessage();
		return message != null && (message.contains("NOFOLLOW_LINKS specified")
				|| message.contains("Too many levels of symbolic links"));
	}

	private static @Nullable OpenFile openOnce(FileSnapshot checked) throws IOException {
		Path real = checked.path();
		Path start = (checked.root() != null && real.startsWith(checked.root())) ? checked.root() : real.getRoot();
		Path relative = start.relativize(real);
		if (relative.getNameCount() == 0 || relative.toString().isEmpty()) {
			throw new NotRegularFileException(real);
		}
		// The root directory itself is trusted configuration: it is opened by name.
		try (DirectoryStream<Path> rootStream = Files.newDirectoryStream(start)) {
			if (!(rootStream instanceof SecureDirectoryStream<Path> directory)) {
				return openWithoutDirectoryHandles(checked);
			}
			return openBelow(directory, relative, 0, checked);
		}
	}

	private static @Nullable OpenFile openBelow(SecureDirectoryStream<Path> directory, Path relative, int index,
			FileSnapshot checked) throws IOException {
		Path name = relative.getName(index);
		if (index < relative.getNameCount() - 1) {
			try (SecureDirectoryStream<Path> child = directory.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
				return openBelow(child, relative, index + 1, checked);
			}
		}
		SeekableByteChannel opened = directory.newByteChannel(name, READ_NO_FOLLOW);
		try {
			BasicFileAttributes attributes = directory
				.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
				.readAttributes();
			return verified(opened, attributes, checked);
		}
		catch (IOException | RuntimeException | Error ex) {
			opened.close();
			throw ex;
		}
	}

	private static @Nullable OpenFile openWithoutDirectoryHandles(FileSnapshot checked) throws IOException {
		// Not Linux (no openat in the JDK here): the final name is still opened without following a symlink, but a
		// directory on the path swapped for a symlink is not noticed.
		SeekableByteChannel opened = Files.newByteChannel(checked.path(), READ_NO_FOLLOW);
		try {
			BasicFileAttributes attributes = Files.readAttributes(checked.path(), BasicFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			return verified(opened, attributes, checked);
		}
		catch (IOException | RuntimeException | Error ex) {
			opened.close();
			throw ex;
		}
	}

	private static @Nullable OpenFile verified(SeekableByteChannel opened, BasicFileAttributes attributes,
			FileSnapshot checked)
			throws IOException {
		if (!attributes.isRegularFile() || !(opened instanceof FileChannel channel)) {
			throw new NotRegularFileException(checked.path());
		}
		// The JDK has no fstat of a channel beyond its size: the attributes were read by name, right after the
		// open. A size that disagrees with the descriptor's means the name moved on in between.
		if (channel.size() != attributes.size()) {
			opened.close();
			return null;
		}
		if (checked.sameFileAs(attributes)) {
			return new OpenFile(channel, checked);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("File changed since it was checked, sending the file as opened: " + checked.path());
		}
		return new OpenFile(channel, FileSnapshot.of(checked.path(), attributes, checked.root()));
	}

	/**
	 * Return the open channel. Read it with positional reads only: several regions may be read from it.
	 */
	public FileChannel channel() {
		return this.descriptor.channel();
	}

	/**
	 * Return a region of this file to write to a Netty channel ({@code sendfile(2)}): it holds the descriptor open
	 * until Netty releases it, whenever this file is closed.
	 * @param position the first byte
	 * @param count the number of bytes
	 */
	public FileRegion region(long position, long count) {
		return new DescriptorRegion(this.descriptor.retain(), position, count);
	}

	/**
	 * Return what describes the opened file: the checked snapshot when the file is the one that was checked, else
	 * a snapshot of the file as opened.
	 */
	public FileSnapshot snapshot() {
		return this.snapshot;
	}

	/**
	 * Whether this file has been closed.
	 */
	public boolean isClosed() {
		return this.closed.get();
	}

	/**
	 * Give back this file's hold on the descriptor, which closes once no region and no cache holds it either; later
	 * calls do nothing. Never throws: there is nothing a response could do about it.
	 */
	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true)) {
			this.descriptor.release();
		}
	}

	@Override
	public String toString() {
		return "OpenFile[" + this.snapshot.path() + "]";
	}

	/**
	 * An open descriptor, closed when the last of those who hold it (open files, regions being sent, a cache) lets
	 * go.
	 */
	static final class Descriptor extends AbstractReferenceCounted {

		private final FileChannel channel;

		private final Path path;

		Descriptor(FileChannel channel, Path path) {
			this.channel = channel;
			this.path = path;
		}

		FileChannel channel() {
			return this.channel;
		}

		@Override
		public Descriptor retain() {
			super.retain();
			return this;
		}

		@Override
		public ReferenceCounted touch(Object hint) {
			return this;
		}

		@Override
		protected void deallocate() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				logger.debug("Closing " + this.path + " failed", ex);
			}
		}

	}

	/**
	 * A region of a file that gives back its hold on the descriptor when Netty releases it, instead of closing
	 * the channel as Netty's own region does.
	 */
	private static final class DescriptorRegion extends DefaultFileRegion {

		private final Descriptor descriptor;

		DescriptorRegion(Descriptor descriptor, long position, long count) {
			super(descriptor.channel(), position, count);
			this.descriptor = descriptor;
		}

		@Override
		protected void deallocate() {
			this.descriptor.release();
		}

	}

	private static final class NotRegularFileException extends FileSystemException {

		NotRegularFileException(Path path) {
			super(path.toString(), null, "not a regular file");
		}

	}

}
