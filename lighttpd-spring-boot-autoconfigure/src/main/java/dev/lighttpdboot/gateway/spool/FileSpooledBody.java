package dev.lighttpdboot.gateway.spool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.lighttpdboot.files.FileSystemScheduler;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A body that outgrew memory, in a {@link SpoolFile} that stays open until release so each attempt reads it
 * with positional reads, without opening it again.
 */
final class FileSpooledBody implements SpooledBody {

	private static final int CHUNK_SIZE = 64 * 1024;

	private final SpoolFile file;

	private final long length;

	private final FileSystemScheduler fileSystem;

	private final AtomicBoolean released = new AtomicBoolean();

	FileSpooledBody(SpoolFile file, long length, FileSystemScheduler fileSystem) {
		this.file = file;
		this.length = length;
		this.fileSystem = fileSystem;
	}

	@Override
	public long length() {
		return this.length;
	}

	@Override
	public Flux<DataBuffer> content(DataBufferFactory bufferFactory) {
		Flux<DataBuffer> chunks = Flux.<DataBuffer, Long>generate(() -> 0L, (position, sink) -> {
			if (this.released.get()) {
				sink.error(new IllegalStateException("spooled body already released"));
				return position;
			}
			if (position >= this.length) {
				sink.complete();
				return position;
			}
			int count = (int) Math.min(CHUNK_SIZE, this.length - position);
			DataBuffer buffer = bufferFactory.allocateBuffer(count);
			try {
				try (DataBuffer.ByteBufferIterator iterator = buffer.writableByteBuffers()) {
					ByteBuffer target = iterator.next();
					target.limit(target.position() + count);
					this.file.readFully(target, position);
				}
				buffer.writePosition(buffer.writePosition() + count);
			}
			catch (Throwable ex) {
				DataBufferUtils.release(buffer);
				sink.error(ex);
				return position;
			}
			sink.next(buffer);
			return position + count;
		});
		// Requests are served on the scheduler too, so each read happens there, whoever asks for more.
		return chunks.subscribeOn(this.fileSystem.scheduler())
			.onErrorMap(RejectedExecutionException.class, (ex) -> new ResponseStatusException(
					HttpStatus.SERVICE_UNAVAILABLE, "file-system scheduler is saturated", ex));
	}

	@Override
	public Optional<Path> file() {
		return Optional.of(this.file.path());
	}

	@Override
	public void release() {
		if (this.released.compareAndSet(false, true)) {
			this.file.discard(this.fileSystem);
		}
	}

	@Override
	public String toString() {
		return "SpooledBody[" + this.length + " bytes in " + this.file + "]";
	}

}
