package dev.lighttpdboot.gateway.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import dev.lighttpdboot.files.FileSystemScheduler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Operators;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Reads a backend's response body as fast as the backend sends it and gives it to the client at the client's
 * pace, as nginx's {@code proxy_buffering} does, so that the backend (a php-fpm worker) is free as soon as its
 * answer is complete, however slowly the client reads.
 * <ul>
 * <li>Up to {@link ResponseBufferPolicy#inMemory()} bytes are held in memory, as the buffers that arrived.</li>
 * <li>The rest goes to a temporary file, created without a name in the spool directory (only its descriptor keeps
 * it), written and read on the file-system scheduler, one write at a time. The file is written from its start
 * again whenever the client has caught up, so its size is the largest backlog, not the response size.</li>
 * <li>When the file would grow beyond {@link ResponseBufferPolicy#maxTempFileSize()}, nothing more is requested
 * from the backend until the client has taken what is kept: back-pressure, as with streaming.</li>
 * </ul>
 * Every buffer is released, and the file closed, when the body ends, fails (the failure reaches the client at
 * once, cutting the response) or the client goes away (the backend's body is then cancelled).
 */
public final class ResponseBodyBuffer {

	/** The response header by which a backend chooses buffering (yes) or streaming (no) for its response. */
	public static final String X_ACCEL_BUFFERING = "X-Accel-Buffering";

	private static final int READ_CHUNK_SIZE = 64 * 1024;

	private final FileSystemScheduler fileSystem;

	private final Path tempDirectory;

	/**
	 * Create a buffer for responses.
	 * @param fileSystem the scheduler for file writes, reads and closing
	 * @param tempDirectory where response bodies too large for memory go; created on first use if missing
	 */
	public ResponseBodyBuffer(FileSystemScheduler fileSystem, Path tempDirectory) {
		this.fileSystem = fileSystem;
		this.tempDirectory = tempDirectory;
	}

	/**
	 * Decide whether one response is buffered, and remove {@code X-Accel-Buffering} from its headers (it is meant
	 * for this server, not for the client). {@code X-Accel-Buffering: yes} or {@code no} decides; without it, a
	 * {@code text/event-stream} response streams, and others follow the route.
	 * @param headers the response headers, changed in place
	 * @param policy the route's policy
	 * @return whether to buffer this response
	 */
	public static boolean wantsBuffering(HttpHeaders headers, ResponseBufferPolicy policy) {
		String choice = headers.getFirst(X_ACCEL_BUFFERING);
		headers.remove(X_ACCEL_BUFFERING);
		if (choice != null) {
			String value = choice.trim().toLowerCase(Locale.ROOT);
			if (value.equals("yes")) {
				return true;
			}
			if (value.equals("no")) {
				return false;
			}
		}
		if (!policy.enabled()) {
			return false;
		}
		MediaType type;
		try {
			type = headers.getContentType();
		}
		catch (RuntimeException ex) {
			// An unparsable type is the client's problem to interpret; it is not an event stream.
			return true;
		}
		// Events must reach the client as the backend writes them.
		return type == null || !MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type);
	}

	/**
	 * Buffer a body. The backend's body is subscribed when the result is, and read at the backend's pace from then
	 * on.
	 * @param body the backend's body
	 * @param policy the limits (its {@code enabled} flag is not looked at)
	 * @param bufferFactory allocates the buffers read back from the file
	 * @return the same bytes, in order, at the pace the subscriber requests them
	 */
	public Flux<DataBuffer> buffer(Flux<DataBuffer> body, ResponseBufferPolicy policy, DataBufferFactory bufferFactory) {
		return Flux.<DataBuffer>create((sink) -> {
			Replay replay = new Replay(sink, policy, bufferFactory);
			sink.onRequest(replay::request);
			sink.onCancel(replay::cancel);
			body.subscribe(replay);
		}).doOnDiscard(DataBuffer.class, DataBufferUtils::release);
	}

	/**
	 * One buffered response. State changes happen under this object's lock; signals to either side, and file work,
	 * happen outside it. Buffers go to the client from one drain loop at a time ({@link #wip}).
	 * <p>Order of the bytes: those in {@link #memory}, then those in the file (from {@link #readPosition} to
	 * {@link #writePosition}), then {@link #parked}. Nothing goes to memory while the file holds bytes, and nothing
	 * is requested from the backend while a buffer is parked or being written.
	 */
	private final class Replay extends SpoolingSubscriber {

		private final FluxSink<DataBuffer> sink;

		private final ResponseBufferPolicy policy;

		private final DataBufferFactory bufferFactory;

		private final AtomicInteger wip = new AtomicInteger();

		/** Whether one buffer was requested from the backend and has not arrived yet. */
		private boolean upstreamRequested;

		private boolean upstreamComplete;

		/**
		 * How the backend's body ended early (a body shorter than declared, a read timeout): the client still gets
		 * what arrived before it, then the error, which cuts its connection.
		 */
		private @Nullable Throwable backendError;

		/** A failure of the buffer itself (the temporary file): it ends the body at once. */
		private @Nullable Throwable upstreamError;

		private long requested;

		private final ArrayDeque<DataBuffer> memory = new ArrayDeque<>();

		private long memoryBytes;

		private @Nullable SpoolFile file;

		private long writePosition;

		private long readPosition;

		private boolean writing;

		private boolean reading;

		/** What the last file read produced, next to go to the client. */
		private @Nullable DataBuffer readBack;

		/** A buffer that fits neither memory nor the file yet; it goes to the client once everything before it has. */
		private @Nullable DataBuffer parked;

		Replay(FluxSink<DataBuffer> sink, ResponseBufferPolicy policy, DataBufferFactory bufferFactory) {
			super(sink.contextView(), fileSystem);
			this.sink = sink;
			this.policy = policy;
			this.bufferFactory = bufferFactory;
		}

		@Override
		protected void subscribed() {
			drain();
		}

		@Override
		public void onNext(DataBuffer buffer) {
			synchronized (this) {
				this.upstreamRequested = false;
				if (this.done) {
					DataBufferUtils.release(buffer);
					return;
				}
				this.parked = buffer;
			}
			drain();
		}

		@Override
		public void onError(Throwable ex) {
			synchronized (this) {
				this.backendError = ex;
				this.upstreamComplete = true;
			}
			drain();
		}

		@Override
		public void onComplete() {
			synchronized (this) {
				this.upstreamComplete = true;
			}
			drain();
		}

		void request(long count) {
			synchronized (this) {
				this.requested = Operators.addCap(this.requested, count);
			}
			drain();
		}

		void cancel() {
			if (cancelRun()) {
				release();
			}
		}

		/**
		 * Move things along until nothing changes: place what arrived, hand the client what it asked for, start a
		 * file write or read, ask the backend for more, end the body.
		 */
		private void drain() {
			if (this.wip.getAndIncrement() != 0) {
				return;
			}
			int missed = 1;
			do {
				Step step = step();
				if (step.emit != null) {
					this.sink.next(step.emit);
				}
				if (step.write != null) {
					write(step.write, step.writePosition);
				}
				if (step.readCount > 0) {
					read(step.readPosition, step.readCount);
				}
				if (step.requestUpstream) {
					upstream().request(1);
				}
				if (step.error != null) {
					upstream().cancel();
					release();
					this.sink.error(step.error);
				}
				else if (step.complete) {
					release();
					this.sink.complete();
				}
				if (step.progressed) {
					// Another round may find more to do (the next buffer in memory, say).
					continue;
				}
				missed = this.wip.addAndGet(-missed);
			}
			while (missed != 0);
		}

		private Step step() {
			Step step = new Step();
			synchronized (this) {
				if (this.done) {
					return step;
				}
				if (this.upstreamError != null) {
					this.done = true;
					step.error = this.upstreamError;
					return step;
				}
				if (this.writePosition == this.readPosition && !this.writing && !this.reading) {
					// The client has caught up with the file: write it from its start again.
					this.writePosition = 0;
					this.readPosition = 0;
				}
				placeParked(step);
				if (this.requested > 0) {
					step.emit = nextForClient(step);
					if (step.emit != null) {
						this.requested--;
						step.progressed = true;
					}
				}
				if (this.upstreamComplete && this.parked == null && !this.writing && this.memory.isEmpty()
						&& this.readBack == null && this.writePosition == this.readPosition && step.emit == null) {
					this.done = true;
					if (this.backendError != null) {
						step.error = this.backendError;
					}
					else {
						step.complete = true;
					}
					return step;
				}
				if (subscribedToBody() && !this.upstreamComplete && !this.upstreamRequested && this.parked == null
						&& !this.writing) {
					this.upstreamRequested = true;
					step.requestUpstream = true;
				}
			}
			return step;
		}

		/** Under the lock: put the newest buffer in memory or the file, if either has room. */
		private void placeParked(Step step) {
			if (this.parked == null || this.writing) {
				return;
			}
			int count = this.parked.readableByteCount();
			// Bytes read back from the file are older than anything that arrives now.
			boolean fileEmpty = this.writePosition == this.readPosition && this.readBack == null;
			if (fileEmpty && this.memoryBytes + count <= this.policy.inMemory()) {
				this.memory.add(this.parked);
				this.memoryBytes += count;
				this.parked = null;
				step.progressed = true;
			}
			else if (this.writePosition + count <= this.policy.maxTempFileSize()) {
				this.writing = true;
				step.write = this.parked;
				step.writePosition = this.writePosition;
				this.parked = null;
				step.progressed = true;
			}
			// Else it waits: the file is full, and the backend is not read until the client catches up.
		}

		/** Under the lock: the next buffer in order, if it is at hand; may start a file read for it instead. */
		private @Nullable DataBuffer nextForClient(Step step) {
			if (!this.memory.isEmpty()) {
				DataBuffer next = this.memory.poll();
				this.memoryBytes -= next.readableByteCount();
				return next;
			}
			if (this.readBack != null) {
				DataBuffer next = this.readBack;
				this.readBack = null;
				return next;
			}
			if (this.writePosition > this.readPosition) {
				if (!this.reading) {
					this.reading = true;
					step.readPosition = this.readPosition;
					step.readCount = (int) Math.min(READ_CHUNK_SIZE, this.writePosition - this.readPosition);
				}
				return null;
			}
			if (this.parked != null && !this.writing) {
				// Memory and file are empty and the buffer fits neither: the client takes it directly.
				DataBuffer next = this.parked;
				this.parked = null;
				return next;
			}
			return null;
		}

		private void write(DataBuffer buffer, long position) {
			int count = buffer.readableByteCount();
			writeToFile(buffer, (taken) -> spoolFile().write(taken, position), (failure) -> writeDone(count, failure));
		}

		private SpoolFile spoolFile() throws IOException {
			synchronized (this) {
				if (this.file != null) {
					return this.file;
				}
			}
			SpoolFile created = SpoolFile.createUnlinked(tempDirectory, "lighttpd-response-");
			synchronized (this) {
				// Only the one write in progress creates the file; release() leaves it to this write.
				this.file = created;
			}
			return created;
		}

		private void writeDone(int count, @Nullable Throwable failure) {
			boolean finished;
			synchronized (this) {
				this.writing = false;
				if (failure == null) {
					this.writePosition += count;
				}
				else if (this.upstreamError == null) {
					this.upstreamError = failure;
				}
				finished = this.done;
			}
			if (finished) {
				release();
			}
			else {
				drain();
			}
		}

		private void read(long position, int count) {
			fileSystem.call(() -> {
				SpoolFile source;
				synchronized (this) {
					source = this.file;
				}
				if (source == null) {
					throw new IllegalStateException("no spool file to read back from");
				}
				DataBuffer buffer = this.bufferFactory.allocateBuffer(count);
				try {
					try (DataBuffer.ByteBufferIterator iterator = buffer.writableByteBuffers()) {
						ByteBuffer target = iterator.next();
						target.limit(target.position() + count);
						source.readFully(target, position);
					}
					buffer.writePosition(buffer.writePosition() + count);
					return buffer;
				}
				catch (Exception ex) {
					DataBufferUtils.release(buffer);
					throw ex;
				}
			}).subscribe((buffer) -> readDone(buffer, count, null), (ex) -> readDone(null, count, ex));
		}

		private void readDone(@Nullable DataBuffer buffer, int count, @Nullable Throwable failure) {
			boolean finished;
			synchronized (this) {
				this.reading = false;
				finished = this.done;
				if (!finished) {
					if (failure != null) {
						if (this.upstreamError == null) {
							this.upstreamError = failure;
						}
					}
					else {
						this.readPosition += count;
						this.readBack = buffer;
					}
				}
			}
			if (finished) {
				if (buffer != null) {
					DataBufferUtils.release(buffer);
				}
				release();
			}
			else {
				drain();
			}
		}

		/**
		 * Release every buffer held and close the file, unless a file write or read is in progress: its end calls
		 * this again. Only called once {@link #done} is set.
		 */
		private void release() {
			List<DataBuffer> held = new ArrayList<>();
			SpoolFile closing = null;
			synchronized (this) {
				held.addAll(this.memory);
				this.memory.clear();
				this.memoryBytes = 0;
				if (this.parked != null) {
					held.add(this.parked);
					this.parked = null;
				}
				if (this.readBack != null) {
					held.add(this.readBack);
					this.readBack = null;
				}
				if (!this.writing && !this.reading) {
					closing = this.file;
					this.file = null;
				}
			}
			held.forEach(DataBufferUtils::release);
			if (closing != null) {
				closing.discard(fileSystem);
			}
		}

	}

	/** What one round of the drain loop does outside the lock. */
	private static final class Step {

		@Nullable DataBuffer emit;

		@Nullable DataBuffer write;

		long writePosition;

		long readPosition;

		int readCount;

		boolean requestUpstream;

		boolean complete;

		@Nullable Throwable error;

		boolean progressed;

	}

}
