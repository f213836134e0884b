package dev.lighttpdboot.gateway.spool;

import java.nio.file.Path;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;

/**
 * A body small enough for memory, kept as one array. Each subscription copies it into fresh buffers from the
 * subscriber's factory, so no buffer is shared between attempts and nothing but the array has to be released.
 */
final class MemorySpooledBody implements SpooledBody {

	private static final int CHUNK_SIZE = 64 * 1024;

	private final int length;

	private volatile byte @Nullable [] data;

	MemorySpooledBody(byte[] data, int length) {
		this.data = data;
		this.length = length;
	}

	@Override
	public long length() {
		return this.length;
	}

	@Override
	public Flux<DataBuffer> content(DataBufferFactory bufferFactory) {
		return Flux.<DataBuffer, Integer>generate(() -> 0, (offset, sink) -> {
			byte[] bytes = this.data;
			if (bytes == null) {
				sink.error(new IllegalStateException("spooled body already released"));
				return offset;
			}
			if (offset >= this.length) {
				sink.complete();
				return offset;
			}
			int count = Math.min(CHUNK_SIZE, this.length - offset);
			sink.next(bufferFactory.allocateBuffer(count).write(bytes, offset, count));
			return offset + count;
		});
	}

	@Override
	public Optional<Path> file() {
		return Optional.empty();
	}

	@Override
	public void release() {
		this.data = null;
	}

	@Override
	public String toString() {
		return "SpooledBody[" + this.length + " bytes in memory]";
	}

}
