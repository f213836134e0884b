package dev.lighttpdboot.gateway.connection;

import java.util.ArrayDeque;

import dev.lighttpdboot.gateway.BackendException;
import io.netty.channel.EventLoop;
import org.reactivestreams.Subscription;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * A response body read from a pooled connection: the content after the head, handed to one subscriber as it asks
 * for it. Every signal is handled on the connection's event loop, where the protocol's exchange adds what it read;
 * the exchange reads the socket again only while {@link #wantsMore()}, so a slow consumer holds back the backend.
 */
public final class StreamedResponseBody extends Flux<DataBuffer> implements Subscription {

	private final EventLoop loop;

	private final Runnable readMore;

	private final Runnable abandon;

	private final ArrayDeque<DataBuffer> queue = new ArrayDeque<>(4);

	private @Nullable CoreSubscriber<? super DataBuffer> actual;

	private boolean subscribed;

	private long requested;

	private boolean complete;

	private @Nullable BackendException error;

	private boolean terminated;

	private boolean draining;

	/**
	 * Create a body.
	 * @param loop the connection's event loop
	 * @param readMore asks the connection to read when more is wanted (on the event loop)
	 * @param abandon gives up the rest of the response: the consumer went away (on the event loop)
	 */
	public StreamedResponseBody(EventLoop loop, Runnable readMore, Runnable abandon) {
		this.loop = loop;
		this.readMore = readMore;
		this.abandon = abandon;
	}

	@Override
	public void subscribe(CoreSubscriber<? super DataBuffer> subscriber) {
		onLoop( () -> {
			if (this.subscribed) {
				Operators.error(subscriber,
						new IllegalStateException("the body of a backend response allows one subscriber only"));
				return;
			}
			this.subscribed = true;
			this.actual = subscriber;
			subscriber.onSubscribe(this);
			drain();
		});
	}

	@Override
	public void request(long n) {
		if (n <= 0) {
			onLoop( () -> {
				cancelled();
				CoreSubscriber<? super DataBuffer> subscriber = this.actual;
				if (!this.terminated && subscriber != null) {
					this.terminated = true;
					subscriber.onError(new IllegalArgumentException("request must be positive: " + n));
				}
			});
			return;
		}
		onLoop( () -> {
			this.requested = Operators.addCap(this.requested, n);
			drain();
			this.readMore.run();
		});
	}

	@Override
	public void cancel() {
		onLoop( () -> {
			this.terminated = true;
			cancelled();
		});
	}

	private void cancelled() {
		releaseQueue();
		// Before the end of the response, the rest will never be read: the connection cannot carry another.
		this.abandon.run();
	}

	/**
	 * Whether the consumer asked for more than is at hand; on the event loop.
	 */
	public boolean wantsMore() {
		return this.subscribed && !this.terminated && this.requested > 0 && this.queue.isEmpty();
	}

	/**
	 * Return the length of the body if all of it has arrived and none of it was handed out yet, else {@code -1};
	 * on the event loop.
	 */
	public long completeLength() {
		if (!this.complete || this.error != null || this.subscribed) {
			return -1;
		}
		long length = 0;
		for (DataBuffer buffer : this.queue) {
			length += buffer.readableByteCount();
		}
		return length;
	}

	/**
	 * A piece of the body arrived; on the event loop.
	 */
	public void add(DataBuffer buffer) {
		if (this.terminated) {
			DataBufferUtils.release(buffer);
			return;
		}
		this.queue.add(buffer);
		drain();
	}

	/**
	 * The body ended; on the event loop.
	 */
	public void complete() {
		this.complete = true;
		drain();
	}

	/**
	 * The body broke off; on the event loop.
	 */
	public void error(BackendException ex) {
		this.error = ex;
		drain();
	}

	/**
	 * Hand out what is asked for and at hand, then the end once everything was handed out. A subscriber that
	 * asks for more from within onNext is served by the loop already running.
	 */
	private void drain() {
		if (this.draining || this.actual == null) {
			return;
		}
		this.draining = true;
		try {
			while (!this.terminated && this.requested > 0 && !this.queue.isEmpty()) {
				this.requested--;
				this.actual.onNext(this.queue.poll());
			}
			if (!this.terminated && this.queue.isEmpty() && (this.complete || this.error != null)) {
				this.terminated = true;
				if (this.error != null) {
					this.actual.onError(this.error);
				}
				else {
					this.actual.onComplete();
				}
			}
		}
		finally {
			this.draining = false;
		}
	}

	private void onLoop(Runnable task) {
		if (this.loop.inEventLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

	private void releaseQueue() {
		DataBuffer buffer;
		while ((buffer = this.queue.poll()) != null) {
			DataBufferUtils.release(buffer);
		}
	}

}
