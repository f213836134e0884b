package dev.lighttpdboot.gateway.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import dev.lighttpdboot.files.FileSystemScheduler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Reads request bodies to their end before a backend is chosen, so a slow client never holds a backend worker,
 * CONTENT_LENGTH is exact even for chunked uploads, and a failed attempt can be replayed on another backend.
 * <p>A body stays in memory up to a threshold; the first byte beyond it moves the whole body to a temporary file.
 * File writes run on the file-system scheduler, one at a time: no more of the body is requested while a write is
 * pending, so a client faster than the disk is slowed down by TCP flow control instead of filling memory.
 * Every incoming buffer is released exactly once, as soon as its bytes are copied or written.
 */
public final class RequestBodySpool {

	private final FileSystemScheduler fileSystem;

	private final Path tempDirectory;

	/**
	 * Create a spool.
	 * @param fileSystem the scheduler for file writes, reads and deletion
	 * @param tempDirectory where bodies too large for memory go; created on first use if missing
	 */
	public RequestBodySpool(FileSystemScheduler fileSystem, Path tempDirectory) {
		this.fileSystem = fileSystem;
		this.tempDirectory = tempDirectory;
	}

	/**
	 * Spool a body. Reading starts when the result is subscribed and goes on at the pace the client sends.
	 * @param body the request body
	 * @param maxSize the largest body accepted: one byte more fails the result with
	 * {@link PayloadTooLargeException} at once, and whatever was spooled is dropped
	 * @param inMemoryThreshold the largest body kept in memory
	 * @return the spooled body, which the subscriber must {@linkplain SpooledBody#release() release}; if the
	 * subscription is cancelled, everything spooled so far is dropped
	 */
	public Mono<SpooledBody> spool(Flux<DataBuffer> body, long maxSize, long inMemoryThreshold) {
		if (maxSize < 0 || inMemoryThreshold < 0) {
			throw new IllegalArgumentException("limits must not be negative");
		}
		int threshold = (int) Math.min(inMemoryThreshold, Integer.MAX_VALUE - 16);
		return Mono.<SpooledBody>create((sink) -> {
			Spooler spooler = new Spooler(sink, maxSize, threshold);
			sink.onCancel(spooler::cancel);
			body.subscribe(spooler);
		}).doOnDiscard(SpooledBody.class, SpooledBody::release);
	}

	/**
	 * One spooling run. Signals from the body (event loop), from finished writes (file-system scheduler) and from
	 * cancellation (any thread) meet under this object's lock; sink signals and file work happen outside it.
	 */
	private final class Spooler extends SpoolingSubscriber {

		private final MonoSink<SpooledBody> sink;

		private final long maxSize;

		private final int threshold;

		private long received;

		private byte @Nullable [] memory = new byte[0];

		private int memoryUsed;

		private @Nullable SpoolFile file;

		private boolean writing;

		private boolean upstreamComplete;

		private @Nullable Throwable upstreamError;

		Spooler(MonoSink<SpooledBody> sink, long maxSize, int threshold) {
			super(sink.contextView(), fileSystem);
			this.sink = sink;
			this.maxSize = maxSize;
			this.threshold = threshold;
		}

		@Override
		protected void subscribed() {
			upstream().request(1);
		}

		@Override
		public void onNext(DataBuffer buffer) {
			int count = buffer.readableByteCount();
			boolean tooLarge = false;
			boolean toFile = false;
			synchronized (this) {
				if (this.done) {
					DataBufferUtils.release(buffer);
					return;
				}
				this.received += count;
				if (this.received > this.maxSize) {
					tooLarge = true;
					this.done = true;
				}
				else if (this.file == null && !this.writing && this.received <= this.threshold) {
					keepInMemory(buffer, count);
				}
				else {
					toFile = true;
					this.writing = true;
				}
			}
			if (tooLarge) {
				DataBufferUtils.release(buffer);
				upstream().cancel();
				dropSpooled();
				this.sink.error(new PayloadTooLargeException(this.maxSize));
			}
			else if (toFile) {
				write(buffer);
			}
			else {
				DataBufferUtils.release(buffer);
				upstream().request(1);
			}
		}

		/** The bytes held so far, for a body that has not moved to a file. */
		private byte[] heldInMemory() {
			byte[] memory = this.memory;
			if (memory == null) {
				throw new IllegalStateException("the body has moved to a file");
			}
			return memory;
		}

		private void keepInMemory(DataBuffer buffer, int count) {
			int needed = this.memoryUsed + count;
			byte[] memory = heldInMemory();
			if (memory.length < needed) {
				long grown = Math.max(needed, Math.max(1024, 2L * memory.length));
				memory = Arrays.copyOf(memory, (int) Math.min(this.threshold, grown));
				this.memory = memory;
			}
			buffer.read(memory, this.memoryUsed, count);
			this.memoryUsed = needed;
		}

		private void write(DataBuffer buffer) {
			writeToFile(buffer, (taken) -> spoolFile().write(taken), this::writeDone);
		}

		/**
		 * Return the file, creating it on the first write and moving what memory holds into it.
		 */
		private SpoolFile spoolFile() throws IOException {
			synchronized (this) {
				if (this.file != null) {
					return this.file;
				}
			}
			SpoolFile created = SpoolFile.create(tempDirectory);
			byte[] held;
			int heldLength;
			synchronized (this) {
				this.file = created;
				held = this.memory;
				heldLength = this.memoryUsed;
				this.memory = null;
			}
			created.write(ByteBuffer.wrap(held, 0, heldLength));
			return created;
		}

		private void writeDone(@Nullable Throwable failure) {
			Throwable error = null;
			boolean complete = false;
			boolean drop = false;
			boolean requestMore = false;
			synchronized (this) {
				this.writing = false;
				if (this.done) {
					drop = true;
				}
				else if (failure != null || this.upstreamError != null) {
					error = (failure != null) ? failure : this.upstreamError;
					this.done = true;
					drop = true;
				}
				else if (this.upstreamComplete) {
					complete = true;
					this.done = true;
				}
				else {
					requestMore = true;
				}
			}
			if (failure != null) {
				upstream().cancel();
			}
			if (drop) {
				dropSpooled();
			}
			if (error != null) {
				this.sink.error(error);
			}
			else if (complete) {
				succeed();
			}
			else if (requestMore) {
				upstream().request(1);
			}
		}

		@Override
		public void onError(Throwable ex) {
			synchronized (this) {
				if (this.done) {
					return;
				}
				if (this.writing) {
					this.upstreamError = ex;
					return;
				}
				this.done = true;
			}
			dropSpooled();
			this.sink.error(ex);
		}

		@Override
		public void onComplete() {
			synchronized (this) {
				if (this.done) {
					return;
				}
				if (this.writing) {
					this.upstreamComplete = true;
					return;
				}
				this.done = true;
			}
			succeed();
		}

		void cancel() {
			if (!cancelRun()) {
				return;
			}
			boolean drop;
			synchronized (this) {
				// A pending write drops the file when it finishes.
				drop = !this.writing;
			}
			if (drop) {
				dropSpooled();
			}
		}

		private void succeed() {
			SpooledBody body;
			synchronized (this) {
				if (this.file != null) {
					body = new FileSpooledBody(this.file, this.received, fileSystem);
				}
				else if (this.received == 0) {
					body = SpooledBody.EMPTY;
				}
				else {
					body = new MemorySpooledBody(heldInMemory(), this.memoryUsed);
				}
				this.file = null;
				this.memory = null;
			}
			this.sink.success(body);
		}

		private void dropSpooled() {
			SpoolFile spooled;
			synchronized (this) {
				spooled = this.file;
				this.file = null;
				this.memory = null;
			}
			if (spooled != null) {
				spooled.discard(fileSystem);
			}
		}

	}

}
