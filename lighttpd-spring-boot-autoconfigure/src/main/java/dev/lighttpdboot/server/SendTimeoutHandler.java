package dev.lighttpdboot.server;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Closes a connection whose pending response bytes made no progress for the send timeout: the client stopped
 * reading (nginx's {@code send_timeout}). Netty's {@link IdleStateHandler} with output observation tells a stalled
 * write from a slow one (any byte taken by the socket counts as progress, a file region's too); a connection
 * with nothing to send (the application is still working on the answer) is never closed by this handler.
 * <p>Unlike Netty's {@code WriteTimeoutHandler}, a long download to a slow but reading client is not cut.
 */
final class SendTimeoutHandler extends IdleStateHandler {

	private static final Log logger = LogFactory.getLog(SendTimeoutHandler.class);

	static final String NAME = "lighttpd.sendTimeout";

	private final ServerRefusals refusals;

	SendTimeoutHandler(long timeoutNanos, ServerRefusals refusals) {
		super(true, 0, timeoutNanos, 0, TimeUnit.NANOSECONDS);
		this.refusals = refusals;
	}

	@Override
	protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
		if (evt.state() != IdleState.WRITER_IDLE || !hasPendingOutput(ctx)) {
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Response made no progress for " + getWriterIdleTimeInMillis() + " ms, closing "
					+ ctx.channel());
		}
		this.refusals.refused(ServerRefusals.SEND_TIMEOUT);
		ctx.close();
	}

	private static boolean hasPendingOutput(ChannelHandlerContext ctx) {
		ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
		// size() counts flushed messages, file regions included (their estimated size is zero).
		return buffer != null && (buffer.size() > 0 || buffer.totalPendingWriteBytes() > 0);
	}

}
