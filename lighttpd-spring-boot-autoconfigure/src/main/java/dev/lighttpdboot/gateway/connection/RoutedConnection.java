package dev.lighttpdboot.gateway.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import reactor.netty.Connection;

/**
 * A pooled connection that carries one request at a time, each driven by a {@link RoutedExchange} on the
 * connection's event loop, with the response's messages handed to it by an {@link ExchangeRouter}. A protocol
 * adds its codec to the pipeline and the router that says what its messages mean.
 * @param <C> the protocol's connection (this type)
 * @param <E> the protocol's exchange
 */
public abstract class RoutedConnection<C extends RoutedConnection<C, E>, E extends RoutedExchange<C, E>>
		extends PooledConnection {

	private final Connection connection;

	private final ExchangeRouter<C, E> router;

	private volatile int requests;

	/**
	 * Take over a connection: its socket is read only when the current exchange wants more, through the
	 * protocol's codec and then its router.
	 * @param connection the connection
	 * @param codecName the name of the codec in the pipeline
	 * @param codec turns the protocol's bytes into messages (and requests into bytes)
	 * @param routerName the name of the router in the pipeline
	 * @param router the last handler of the pipeline
	 */
	protected RoutedConnection(Connection connection, String codecName, ChannelHandler codec, String routerName,
			ExchangeRouter<C, E> router) {
		this.connection = connection;
		this.router = router;
		connection.channel().config().setAutoRead(false);
		connection.addHandlerLast(codecName, codec);
		connection.addHandlerLast(routerName, router);
	}

	/**
	 * Return this connection as the protocol's type.
	 */
	protected abstract C self();

	/**
	 * Whether this connection has carried a request before the current one: a failure on a reused connection
	 * before any response byte is worth one retry on a fresh connection (the backend may have closed it while idle).
	 */
	public boolean isReused() {
		return this.requests > 1;
	}

	/**
	 * Whether the connection can carry another request: open, and the last response ended cleanly.
	 */
	@Override
	public boolean isReusable() {
		return this.connection.channel().isActive() && this.router.isIdle();
	}

	/**
	 * Close the connection.
	 */
	@Override
	public void close() {
		this.connection.dispose();
	}

	@Override
	public EventLoop eventLoop() {
		return this.connection.channel().eventLoop();
	}

	@Override
	public void onClose(Runnable action) {
		this.connection.channel().closeFuture().addListener((future) -> action.run());
	}

	/**
	 * Return the connection's channel, to write requests to.
	 */
	public Channel channel() {
		return this.connection.channel();
	}

	/**
	 * Start a request on this connection; its messages go to the exchange, on this connection's event loop.
	 */
	public void start(E exchange) {
		this.requests = this.requests + 1;
		RoutedExchange.onLoop(eventLoop(), () -> this.router.start(self(), exchange, isReused()));
	}

	/**
	 * Read from the socket if the current request wants more; on the event loop.
	 */
	public void readIfWanted() {
		this.router.readIfWanted();
	}

	/**
	 * Hand the exchange's head on at the end of the current read (at once outside a read); on the event loop.
	 */
	void holdHead(E exchange) {
		this.router.holdHead(exchange);
	}

	/**
	 * The current request ended so that the connection may carry the next one; on the event loop.
	 */
	void requestEnded(E exchange) {
		this.router.ended(exchange);
	}

	/**
	 * The current request ends without a reusable connection (the backend said it closes it, the rest of the
	 * response will never be read, or the request failed): the connection is closed; on the event loop.
	 */
	void abandon(E exchange) {
		this.router.abandon(exchange);
	}

}
