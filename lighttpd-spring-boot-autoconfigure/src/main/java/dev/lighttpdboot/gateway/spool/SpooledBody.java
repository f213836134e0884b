package dev.lighttpdboot.gateway.spool;

import java.nio.file.Path;
import java.util.Optional;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;

/**
 * A request body read to its end before a backend is chosen, held in memory or in a temporary file, so that its
 * exact length is known (CONTENT_LENGTH, even for chunked uploads) and it can be sent again to another backend.
 * <p>Whoever receives a spooled body must {@linkplain #release() release} it once no backend needs it any more,
 * typically when the exchange completes.
 */
public interface SpooledBody {

	/** The body of a request without one: nothing to read, nothing to release. */
	SpooledBody EMPTY = new EmptySpooledBody();

	/**
	 * Return a body held in memory.
	 * @param bytes the content, not copied: it must not change afterwards
	 */
	static SpooledBody of(byte[] bytes) {
		return (bytes.length == 0) ? EMPTY : new MemorySpooledBody(bytes, bytes.length);
	}

	/**
	 * Return the exact length in bytes.
	 */
	long length();

	/**
	 * Return the content. Each subscription reads it again from the start, so a request can be retried; each
	 * emitted buffer is new and belongs to the subscriber. A spooled file is read on the file-system scheduler in
	 * chunks of 64 KiB. Subscribing after {@link #release()} fails with {@link IllegalStateException}.
	 * @param bufferFactory the factory for the emitted buffers
	 */
	Flux<DataBuffer> content(DataBufferFactory bufferFactory);

	/**
	 * Return the temporary file holding the body, if it was too large for memory: for backends that can read the
	 * body from a file themselves (php-fpm's REQUEST_BODY_FILE).
	 */
	Optional<Path> file();

	/**
	 * Let go of the memory or delete the temporary file. Safe to call more than once and from any thread: it is
	 * typically called when the exchange completes, on an event loop, where the file is closed and deleted on the
	 * file-system scheduler; on a thread that may block, it happens before this method returns.
	 */
	void release();

}
