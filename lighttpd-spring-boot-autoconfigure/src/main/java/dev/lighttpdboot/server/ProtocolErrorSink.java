package dev.lighttpdboot.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The last handler of a connection: takes the HTTP/2 protocol errors that Netty's HTTP/2 codec has already answered
 * with GOAWAY (a rapid-reset flood among them) and would otherwise log at WARN as unhandled, one line per hostile
 * connection. They are logged at DEBUG and counted; anything else goes on to Netty's usual handling.
 */
@ChannelHandler.Sharable
final class ProtocolErrorSink extends ChannelInboundHandlerAdapter {

	private static final Log logger = LogFactory.getLog(ProtocolErrorSink.class);

	static final String NAME = "lighttpd.protocolErrorSink";

	private final ServerRefusals refusals;

	ProtocolErrorSink(ServerRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (!(cause instanceof Http2Exception)) {
			ctx.fireExceptionCaught(cause);
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("HTTP/2 protocol error from " + ctx.channel().remoteAddress() + ": " + cause.getMessage());
		}
		// Not closed here: the codec sends its GOAWAY with the error code, then closes.
		this.refusals.refused(ServerRefusals.HTTP2_PROTOCOL);
	}

}
