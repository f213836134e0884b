package dev.lighttpdboot.gateway.route;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Closes a client's connection once what was written to it has left, for a response that is complete on the
 * wire but whose connection must not carry another one.
 */
final class ClientConnections {

	private ClientConnections() {
	}

	/**
	 * Close the connection of a response after the writes already queued on it; nothing happens for a response
	 * that does not run on Reactor Netty.
	 */
	static void closeAfterWrites(ServerHttpResponse response) {
		Object nativeResponse;
		try {
			nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
		}
		catch (IllegalArgumentException ex) {
			return;
		}
		if (nativeResponse instanceof Connection connection) {
			Channel channel = connection.channel();
			// Queued behind the body's writes on the channel's event loop: the flush sends them, then it closes.
			channel.eventLoop()
				.execute(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
		}
	}

}
