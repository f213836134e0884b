package dev.lighttpdboot.compression;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Compresses a body buffer by buffer: each buffer is encoded and flushed at once, so what a handler or backend
 * flushed reaches the client decodable, and nothing is held back waiting for more input. One per response; not
 * thread-safe (Reactor delivers a body's buffers one at a time).
 */
final class StreamingEncoder implements AutoCloseable {

	private final Sink sink = new Sink();

	private final OutputStream stream;

	private final DataBufferFactory bufferFactory;

	private boolean closed;

	StreamingEncoder(ContentEncoder encoder, DataBufferFactory bufferFactory) throws IOException {
		this.stream = encoder.open(this.sink);
		this.bufferFactory = bufferFactory;
	}

	/**
	 * Encode and flush one buffer, which is released.
	 * @return the encoded bytes, or {@code null} if there are none yet
	 */
	@Nullable DataBuffer encode(DataBuffer buffer) throws IOException {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			this.stream.write(bytes);
			this.stream.flush();
		}
		finally {
			DataBufferUtils.release(buffer);
		}
		return drain();
	}

	/**
	 * End the encoded stream.
	 * @return its last bytes, or {@code null}
	 */
	@Nullable DataBuffer finish() throws IOException {
		this.closed = true;
		this.stream.close();
		return drain();
	}

	private @Nullable DataBuffer drain() {
		if (this.sink.size() == 0) {
			return null;
		}
		DataBuffer out = this.bufferFactory.wrap(this.sink.toByteArray());
		this.sink.reset();
		return out;
	}

	/**
	 * Release the library's state (native memory for Brotli and Zstandard) when the body ended early.
	 */
	@Override
	public void close() {
		if (!this.closed) {
			this.closed = true;
			try {
				this.stream.close();
			}
			catch (IOException ex) {
				// The response is gone already; nothing to tell anyone.
			}
		}
	}

	private static final class Sink extends ByteArrayOutputStream {

		Sink() {
			super(8192);
		}

	}

}
