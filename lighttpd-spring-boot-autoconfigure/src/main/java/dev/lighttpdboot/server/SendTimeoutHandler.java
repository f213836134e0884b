package dev.lighttpdboot.server;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Closes a connection whose pending response bytes made no progress for the send timeout: the client stopped
 * reading (nginx's {@code send_timeout}). A few times per timeout it looks at the socket's outbound buffer: bytes
 * pending with the same first message, the same progress in it and the same total as at the last look mean no
 * byte was taken by the socket meanwhile (a file region's progress counts); a connection with nothing to send
 * (the application is still working on the answer) is never closed by this handler. Unlike Netty's
 * {@code WriteTimeoutHandler}, a long download to a slow but reading client is not cut.
 * <p>It watches without taking part in writes: no listener on each write's promise and no clock read when it
 * completes, as Netty's {@code IdleStateHandler} would need, and so the writes of a small answer keep the void
 * promise they were given. A stalled connection is closed between the timeout and a quarter of it later.
 */
final class SendTimeoutHandler extends ChannelInboundHandlerAdapter {

	private static final Log logger = LogFactory.getLog(SendTimeoutHandler.class);

	static final String NAME = "lighttpd.sendTimeout";

	/** Looks per timeout: a stall is seen between the timeout and this fraction of it later. */
	static final int LOOKS_PER_TIMEOUT = 4;

	private final long timeoutNanos;

	private final long lookNanos;

	private final ServerRefusals refusals;

	private @Nullable ScheduledFuture<?> looking;

	/**
	 * Looks in a row that found the outbound buffer as the look before (bytes pending, no progress); -1 while there
	 * is no earlier look with bytes pending to compare with.
	 */
	private int unchangedLooks = -1;

	private int lastMessage;

	private long lastProgress;

	private long lastPendingBytes;

	SendTimeoutHandler(long timeoutNanos, ServerRefusals refusals) {
		this.timeoutNanos = timeoutNanos;
		this.lookNanos = Math.max(1, timeoutNanos / LOOKS_PER_TIMEOUT);
		this.refusals = refusals;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
			start(ctx);
		}
	}

	@Override
	public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
		if (ctx.channel().isActive()) {
			start(ctx);
		}
		super.channelRegistered(ctx);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		start(ctx);
		super.channelActive(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		stop();
		super.channelInactive(ctx);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		stop();
	}

	private void start(ChannelHandlerContext ctx) {
		if (this.looking == null) {
			this.looking = ctx.executor()
				.scheduleWithFixedDelay(() -> look(ctx), this.lookNanos, this.lookNanos, TimeUnit.NANOSECONDS);
		}
	}

	private void stop() {
		ScheduledFuture<?> looking = this.looking;
		if (looking != null) {
			this.looking = null;
			looking.cancel(false);
		}
	}

	private void look(ChannelHandlerContext ctx) {
		ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
		// size() counts flushed messages, file regions included (their estimated size is zero).
		if (!ctx.channel().isOpen() || buffer == null || (buffer.size() == 0 && buffer.totalPendingWriteBytes() == 0)) {
			this.unchangedLooks = -1;
			return;
		}
		int message = System.identityHashCode(buffer.current());
		long progress = buffer.currentProgress();
		long pendingBytes = buffer.totalPendingWriteBytes();
		if (this.unchangedLooks < 0 || message != this.lastMessage || progress != this.lastProgress
				|| pendingBytes != this.lastPendingBytes) {
			// Counted from this look: the bytes may have stopped moving just after it.
			this.lastMessage = message;
			this.lastProgress = progress;
			this.lastPendingBytes = pendingBytes;
			this.unchangedLooks = 0;
			return;
		}
		if (++this.unchangedLooks < LOOKS_PER_TIMEOUT) {
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Response made no progress for " + TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos)
					+ " ms, closing " + ctx.channel());
		}
		stop();
		this.refusals.refused(ServerRefusals.SEND_TIMEOUT);
		ctx.close();
	}

}
