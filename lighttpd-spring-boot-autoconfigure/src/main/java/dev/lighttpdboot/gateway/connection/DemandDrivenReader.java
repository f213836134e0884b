package dev.lighttpdboot.gateway.connection;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of a backend connection whose channel does not read by itself (auto-read off): it reads the
 * socket only while the response's consumer wants more, so a slow client holds back the backend instead of
 * filling the heap. The read timeout runs while a read is wanted and nothing arrives: a client that reads slowly
 * does not make the backend look silent. On the channel's event loop only.
 */
public abstract class DemandDrivenReader extends ChannelInboundHandlerAdapter {

	private final Duration readTimeout;

	private @Nullable ChannelHandlerContext context;

	private @Nullable ScheduledFuture<?> readTimer;

	/**
	 * Create a reader.
	 * @param readTimeout how long a wanted read may bring nothing
	 */
	protected DemandDrivenReader(Duration readTimeout) {
		this.readTimeout = readTimeout;
	}

	/**
	 * Whether the response's consumer wants more of it now.
	 */
	protected abstract boolean wantsRead();

	/**
	 * A wanted read brought nothing within the read timeout.
	 */
	protected abstract void readTimedOut();

	/**
	 * Return how long a wanted read may bring nothing.
	 */
	protected final Duration readTimeout() {
		return this.readTimeout;
	}

	/** The handler's context, set by {@link #handlerAdded}, before any other callback. */
	protected final ChannelHandlerContext context() {
		ChannelHandlerContext context = this.context;
		if (context == null) {
			throw new IllegalStateException("the handler is not in a pipeline yet");
		}
		return context;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
	}

	/**
	 * Read from the socket if the consumer wants more, with the read timeout running until something arrives.
	 */
	protected final void readIfWanted() {
		if (wantsRead()) {
			if (this.readTimer == null) {
				this.readTimer = context().executor()
					.schedule(this::timerExpired, this.readTimeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			context().read();
		}
	}

	private void timerExpired() {
		this.readTimer = null;
		readTimedOut();
	}

	/**
	 * Something arrived, or nothing more is awaited.
	 */
	protected final void stopReadTimer() {
		if (this.readTimer != null) {
			this.readTimer.cancel(false);
			this.readTimer = null;
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		readIfWanted();
	}

}
