package dev.lighttpdboot.gateway.spool;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.lighttpdboot.files.FileSystemScheduler;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * What a subscriber that holds a body in memory and a temporary file shares, whichever way the body goes
 * ({@link RequestBodySpool}, {@link ResponseBodyBuffer}): the body's subscription, taken once and cancelled at once
 * when the run has already ended; the context of the sink it feeds; and file writes on the file-system scheduler
 * that release each buffer exactly once. State is guarded by this object's lock, as the subclasses' own state is.
 */
abstract class SpoolingSubscriber implements CoreSubscriber<DataBuffer> {

	private final ContextView contextView;

	private final FileSystemScheduler fileSystem;

	private @Nullable Subscription upstream;

	/** Set once the run has ended: its result given, or the side that wanted it gone. Guarded by this object. */
	protected boolean done;

	SpoolingSubscriber(ContextView contextView, FileSystemScheduler fileSystem) {
		this.contextView = contextView;
		this.fileSystem = fileSystem;
	}

	@Override
	public final Context currentContext() {
		return Context.of(this.contextView);
	}

	@Override
	public final void onSubscribe(Subscription subscription) {
		boolean cancelled;
		synchronized (this) {
			if (!Operators.validate(this.upstream, subscription)) {
				return;
			}
			this.upstream = subscription;
			cancelled = this.done;
		}
		if (cancelled) {
			subscription.cancel();
		}
		else {
			subscribed();
		}
	}

	/**
	 * The body's subscription was taken and the run goes on: ask for what comes first.
	 */
	protected abstract void subscribed();

	/**
	 * Return the body's subscription, set in {@link #onSubscribe} before any signal that requests or cancels.
	 */
	protected final Subscription upstream() {
		Subscription subscription = this.upstream;
		if (subscription == null) {
			throw new IllegalStateException("not subscribed to the body yet");
		}
		return subscription;
	}

	/**
	 * Return whether the body's subscription was taken; called under this object's lock.
	 */
	protected final boolean subscribedToBody() {
		return this.upstream != null;
	}

	/**
	 * End the run from the side that wanted its result: mark it done and cancel the body, if it was subscribed.
	 * @return {@code false} if the run had already ended
	 */
	protected final boolean cancelRun() {
		Subscription subscription;
		synchronized (this) {
			if (this.done) {
				return false;
			}
			this.done = true;
			subscription = this.upstream;
		}
		if (subscription != null) {
			subscription.cancel();
		}
		return true;
	}

	/**
	 * Write a buffer on the file-system scheduler, then report the outcome to {@code written}: {@code null}, or the
	 * failure. Whoever takes the buffer releases it: the write task, or the error path if the task never ran.
	 */
	protected final void writeToFile(DataBuffer buffer, FileWrite write, Consumer<@Nullable Throwable> written) {
		AtomicReference<@Nullable DataBuffer> pending = new AtomicReference<>(buffer);
		this.fileSystem.call(() -> {
			DataBuffer taken = pending.getAndSet(null);
			if (taken != null) {
				try {
					write.write(taken);
				}
				finally {
					DataBufferUtils.release(taken);
				}
			}
			return Boolean.TRUE;
		}).subscribe((ok) -> written.accept(null), (ex) -> {
			DataBuffer untaken = pending.getAndSet(null);
			if (untaken != null) {
				DataBufferUtils.release(untaken);
			}
			written.accept(ex);
		});
	}

	/**
	 * Writes one buffer to the spool file; runs on the file-system scheduler.
	 */
	@FunctionalInterface
	interface FileWrite {

		void write(DataBuffer buffer) throws IOException;

	}

}
