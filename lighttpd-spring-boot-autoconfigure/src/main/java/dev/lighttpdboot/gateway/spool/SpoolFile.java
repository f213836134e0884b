package dev.lighttpdboot.gateway.spool;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.RejectedExecutionException;

import dev.lighttpdboot.files.FileSystemScheduler;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The temporary file of one spooled request body, open for writing while the body arrives and for positional
 * reads afterwards (several reads may run at once). Every method but {@link #discard} blocks: call them on the
 * file-system scheduler.
 */
final class SpoolFile {

	private static final Log logger = LogFactory.getLog(SpoolFile.class);

	private final Path path;

	private final FileChannel channel;

	private SpoolFile(Path path, FileChannel channel) {
		this.path = path;
		this.channel = channel;
	}

	/**
	 * Create a new file, readable by its owner only, in a directory that is created if missing.
	 */
	static SpoolFile create(Path directory) throws IOException {
		return create(directory, "lighttpd-body-");
	}

	/**
	 * Create a new file, readable by its owner only, and remove its name at once: it lives only as long as its
	 * descriptor, so nothing is left behind whatever happens to the JVM.
	 */
	static SpoolFile createUnlinked(Path directory, String prefix) throws IOException {
		SpoolFile file = create(directory, prefix);
		try {
			Files.delete(file.path);
		}
		catch (IOException ex) {
			file.delete();
			throw ex;
		}
		return file;
	}

	private static SpoolFile create(Path directory, String prefix) throws IOException {
		Path path;
		try {
			path = Files.createTempFile(directory, prefix, ".tmp");
		}
		catch (NoSuchFileException ex) {
			Files.createDirectories(directory);
			path = Files.createTempFile(directory, prefix, ".tmp");
		}
		try {
			return new SpoolFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
		}
		catch (IOException ex) {
			Files.deleteIfExists(path);
			throw ex;
		}
	}

	Path path() {
		return this.path;
	}

	/**
	 * Append bytes at the end of what was written so far.
	 */
	void write(ByteBuffer bytes) throws IOException {
		while (bytes.hasRemaining()) {
			this.channel.write(bytes);
		}
	}

	/**
	 * Append the readable bytes of a buffer, leaving the buffer as it is.
	 */
	void write(DataBuffer buffer) throws IOException {
		try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
			while (iterator.hasNext()) {
				write(iterator.next());
			}
		}
	}

	/**
	 * Write the readable bytes of a buffer at a position, leaving the buffer as it is.
	 */
	void write(DataBuffer buffer, long position) throws IOException {
		long at = position;
		try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
			while (iterator.hasNext()) {
				ByteBuffer bytes = iterator.next();
				while (bytes.hasRemaining()) {
					at += this.channel.write(bytes, at);
				}
			}
		}
	}

	/**
	 * Fill a byte buffer from a position of the file.
	 * @throws EOFException if the file is shorter than expected (someone truncated it)
	 */
	void readFully(ByteBuffer target, long position) throws IOException {
		long at = position;
		while (target.hasRemaining()) {
			int count = this.channel.read(target, at);
			if (count < 0) {
				throw new EOFException("spool file " + this.path + " ended early");
			}
			at += count;
		}
	}

	/**
	 * Close and delete the file: here if this thread may block, else on the file-system scheduler.
	 */
	void discard(FileSystemScheduler fileSystem) {
		if (mayBlock()) {
			delete();
			return;
		}
		try {
			fileSystem.scheduler().schedule(this::delete);
		}
		catch (RejectedExecutionException ex) {
			// The file-system scheduler is saturated or shut down; a leftover file would be worse than a task on
			// Reactor's shared scheduler for blocking work.
			Schedulers.boundedElastic().schedule(this::delete);
		}
	}

	private void delete() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			logger.debug("Could not close spooled body file " + this.path, ex);
		}
		try {
			Files.deleteIfExists(this.path);
		}
		catch (IOException ex) {
			logger.warn("Could not delete spooled body file " + this.path + ": " + ex);
		}
	}

	/**
	 * Whether the current thread may block: not a Reactor non-blocking thread, and not a Netty event loop (Netty
	 * marks those the way its own BlockHound integration does).
	 */
	static boolean mayBlock() {
		if (Schedulers.isInNonBlockingThread()) {
			return false;
		}
		return !(Thread.currentThread() instanceof FastThreadLocalThread nettyThread)
				|| nettyThread.permitBlockingCalls();
	}

	@Override
	public String toString() {
		return this.path.toString();
	}

}
