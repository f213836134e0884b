package dev.lighttpdboot.gateway.ajp13;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.connection.PooledConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;

/**
 * One connection to an AJP13 container (Tomcat's AJP connector). It carries one request at a time, as the protocol
 * says, and stays open between requests when the container's END_RESPONSE says so.
 * <p>Everything a request does on the connection happens on the connection's event loop, driven by an
 * {@link Ajp13Exchange}. The socket is read only while the response head or a body chunk is awaited, so a slow
 * client of a large response holds back the container; the read timeout runs while a read is wanted and nothing
 * arrives.
 */
final class Ajp13Connection extends PooledConnection {

	private static final Log logger = LogFactory.getLog(Ajp13Connection.class);

	static final String DECODER_NAME = "lighttpd.ajp13.decoder";

	static final String ROUTER_NAME = "lighttpd.ajp13.router";

	private final Connection connection;

	private final PacketRouter router;

	private volatile int requests;

	Ajp13Connection(Connection connection, Duration readTimeout, int packetSize) {
		this.connection = connection;
		this.router = new PacketRouter(readTimeout);
		connection.channel().config().setAutoRead(false);
		connection.addHandlerLast(DECODER_NAME, new Ajp13ResponseDecoder(packetSize));
		connection.addHandlerLast(ROUTER_NAME, this.router);
	}

	/**
	 * Whether this connection carried a request before the current one.
	 */
	boolean isReused() {
		return this.requests > 1;
	}

	@Override
	public boolean isReusable() {
		return this.connection.channel().isActive() && this.router.isIdle();
	}

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

	Channel channel() {
		return this.connection.channel();
	}

	/**
	 * Start a request on this connection; its packets go to the exchange, on this connection's event loop.
	 */
	void start(Ajp13Exchange exchange) {
		this.requests = this.requests + 1;
		EventLoop loop = eventLoop();
		if (loop.inEventLoop()) {
			this.router.start(exchange);
		}
		else {
			loop.execute(() -> this.router.start(exchange));
		}
	}

	/**
	 * Read from the socket if the current request wants more; on the event loop.
	 */
	void readIfWanted() {
		this.router.readIfWanted();
	}

	/**
	 * The current request ended with an END_RESPONSE that keeps the connection; on the event loop.
	 */
	void requestEnded(Ajp13Exchange exchange) {
		this.router.ended(exchange);
	}

	/**
	 * The current request ends without a reusable connection (the container said it closes it, the consumer went
	 * away, or the request failed): the connection is closed; on the event loop.
	 */
	void abandon(Ajp13Exchange exchange) {
		this.router.abandon(exchange);
	}

	/**
	 * Hands the packets of the current response to its exchange, and reads the socket only on demand.
	 * <p>State is changed on the channel's event loop only; {@code current} and {@code broken} are volatile because
	 * the pool reads them from other threads to decide whether the connection can be reused.
	 */
	private final class PacketRouter extends ChannelInboundHandlerAdapter {

		private final Duration readTimeout;

		private @Nullable ChannelHandlerContext context;

		private volatile @Nullable Ajp13Exchange current;

		private volatile boolean broken;

		private @Nullable ScheduledFuture<?> readTimer;

		PacketRouter(Duration readTimeout) {
			this.readTimeout = readTimeout;
		}

		private ChannelHandlerContext context() {
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

		void start(Ajp13Exchange exchange) {
			if (this.current != null || this.broken || !context().channel().isActive()) {
				exchange.startFailed(Ajp13Connection.this,
						BackendException.connectionLost("connection closed before the request", null), isReused());
				return;
			}
			this.current = exchange;
			exchange.started(Ajp13Connection.this, isReused());
			readIfWanted();
		}

		boolean isIdle() {
			return this.current == null && !this.broken;
		}

		void readIfWanted() {
			Ajp13Exchange exchange = this.current;
			if (exchange != null && exchange.wantsRead()) {
				if (this.readTimer == null) {
					this.readTimer = context().executor()
						.schedule(this::readTimedOut, this.readTimeout.toMillis(), TimeUnit.MILLISECONDS);
				}
				context().read();
			}
		}

		private void readTimedOut() {
			this.readTimer = null;
			Ajp13Exchange exchange = this.current;
			if (exchange != null) {
				fail(BackendException.timeout("no answer from the container within " + this.readTimeout,
						!exchange.responseStarted()));
			}
		}

		private void stopReadTimer() {
			if (this.readTimer != null) {
				this.readTimer.cancel(false);
				this.readTimer = null;
			}
		}

		void ended(Ajp13Exchange exchange) {
			if (this.current == exchange) {
				stopReadTimer();
				this.current = null;
			}
		}

		void abandon(Ajp13Exchange exchange) {
			if (this.current == exchange) {
				stopReadTimer();
				this.current = null;
				this.broken = true;
				context().close();
			}
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			stopReadTimer();
			Ajp13Exchange exchange = this.current;
			if (exchange == null || !(msg instanceof Ajp13Packet packet)) {
				// A packet outside a request (a late answer after an abandoned one): the stream is out of step.
				ReferenceCountUtil.release(msg);
				this.broken = true;
				ctx.close();
				return;
			}
			if (packet instanceof Ajp13Packet.Malformed malformed) {
				fail(BackendException.broken("malformed AJP13 response: " + malformed.reason(),
						!exchange.responseStarted(), null));
				return;
			}
			exchange.received(packet);
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			readIfWanted();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			this.broken = true;
			Ajp13Exchange exchange = this.current;
			if (exchange != null) {
				String reason = "the container closed the connection before END_RESPONSE";
				// Closed before any packet: the connection, not the request, is what failed (see connectionLost).
				fail(exchange.responseStarted() ? BackendException.broken(reason, false, null)
						: BackendException.connectionLost(reason, null));
			}
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			// The socket error's message is not passed on: Spring takes "connection reset by peer" for a client
			// that went away and would end a truncated response as if it were complete.
			if (cause instanceof Error) {
				logger.error("Connection to an AJP13 container failed", cause);
			}
			else {
				logger.debug("Connection to an AJP13 container failed", cause);
			}
			Ajp13Exchange exchange = this.current;
			String reason = "the connection to the container failed (" + BackendException.describe(cause) + ")";
			if (exchange != null) {
				fail(exchange.responseStarted() ? BackendException.broken(reason, false, cause)
						: BackendException.connectionLost(reason, cause));
			}
			else {
				this.broken = true;
				ctx.close();
			}
		}

		/**
		 * End the current request with a failure and close the connection: its stream can no longer be trusted.
		 */
		private void fail(BackendException ex) {
			stopReadTimer();
			Ajp13Exchange exchange = this.current;
			this.current = null;
			this.broken = true;
			context().close();
			if (exchange != null) {
				exchange.failed(ex);
			}
		}

	}

}
