package dev.lighttpdboot.gateway.fastcgi;

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
 * One connection to a FastCGI backend. It carries one request at a time, always with request id 1 (php-fpm and
 * most backends do not multiplex), and stays open between requests when the backend honours
 * {@code FCGI_KEEP_CONN}.
 * <p>Everything a request does on the connection happens on the connection's event loop, driven by a
 * {@link FastCgiExchange}: no operator chain sits between the socket and the response.
 * <p>Reading follows demand: the socket is read only while the response head is awaited or the consumer of the
 * body has asked for more, so a slow client of a large response holds back the backend instead of filling the
 * heap. The read timeout runs while a read is wanted and nothing arrives, as nginx's
 * {@code fastcgi_read_timeout} measures the time between two reads from the backend: a client that reads slowly
 * does not make the backend look silent.
 */
public final class FastCgiConnection extends PooledConnection {

	private static final Log logger = LogFactory.getLog(FastCgiConnection.class);

	static final int REQUEST_ID = 1;

	static final String CODEC_NAME = "lighttpd.fastcgi.codec";

	static final String ROUTER_NAME = "lighttpd.fastcgi.router";

	private final Connection connection;

	private final ResponseRouter router;

	private volatile int requests;

	FastCgiConnection(Connection connection, Duration readTimeout) {
		this.connection = connection;
		this.router = new ResponseRouter(readTimeout);
		Channel channel = connection.channel();
		channel.config().setAutoRead(false);
		connection.addHandlerLast(CODEC_NAME, new FastCgiClientCodec());
		connection.addHandlerLast(ROUTER_NAME, this.router);
	}

	/**
	 * Whether this connection has carried a request before the current one: a failure on a reused connection
	 * before any response byte is worth one retry on a fresh connection (the backend may have closed it while idle).
	 */
	public boolean isReused() {
		return this.requests > 1;
	}

	/**
	 * Whether the connection can carry another request: open, and the last response ended with END_REQUEST.
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

	Channel channel() {
		return this.connection.channel();
	}

	@Override
	public void onClose(Runnable action) {
		this.connection.channel().closeFuture().addListener((future) -> action.run());
	}

	/**
	 * Start a request on this connection; its events go to the exchange, on this connection's event loop.
	 */
	void start(FastCgiExchange exchange) {
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
	 * The current request ended with END_REQUEST: the connection may carry the next one; on the event loop.
	 */
	void requestEnded(FastCgiExchange exchange) {
		this.router.ended(exchange);
	}

	/**
	 * The current request is abandoned before its END_REQUEST (its consumer went away, or it failed): the rest of
	 * its response will never be read, so the connection cannot carry another request; on the event loop.
	 */
	void abandon(FastCgiExchange exchange) {
		this.router.abandon(exchange);
	}

	/**
	 * Hands the records of the current response to its exchange, and reads the socket only on demand.
	 * <p>State is changed on the channel's event loop only; {@code current} and {@code broken} are volatile
	 * because the pool reads them from other threads to decide whether the connection can be reused.
	 */
	private final class ResponseRouter extends ChannelInboundHandlerAdapter {

		private final Duration readTimeout;

		private @Nullable ChannelHandlerContext context;

		private volatile @Nullable FastCgiExchange current;

		private volatile boolean broken;

		private @Nullable ScheduledFuture<?> readTimer;

		ResponseRouter(Duration readTimeout) {
			this.readTimeout = readTimeout;
		}

		/** The handler's context, set by {@link #handlerAdded}, before any other callback. */
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

		void start(FastCgiExchange exchange) {
			if (this.current != null || this.broken || !context().channel().isActive()) {
				exchange.startFailed(FastCgiConnection.this,
						BackendException.connectionLost("connection closed before the request", null), isReused());
				return;
			}
			this.current = exchange;
			exchange.started(FastCgiConnection.this, isReused());
			readIfWanted();
		}

		boolean isIdle() {
			return this.current == null && !this.broken;
		}

		void readIfWanted() {
			FastCgiExchange exchange = this.current;
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
			FastCgiExchange exchange = this.current;
			if (exchange != null) {
				fail(BackendException.timeout("no answer from the backend within " + this.readTimeout,
						!exchange.responseStarted()));
			}
		}

		private void stopReadTimer() {
			if (this.readTimer != null) {
				this.readTimer.cancel(false);
				this.readTimer = null;
			}
		}

		void ended(FastCgiExchange exchange) {
			if (this.current == exchange) {
				stopReadTimer();
				this.current = null;
			}
		}

		void abandon(FastCgiExchange exchange) {
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
			FastCgiExchange exchange = this.current;
			if (exchange == null || !(msg instanceof FastCgiResponsePart part) || !isForThisRequest(part)) {
				// Records outside a request (a late answer after an abandoned one) mean the stream is out of step.
				ReferenceCountUtil.release(msg);
				if (exchange != null) {
					fail(BackendException.broken("a FastCGI record for another request", !exchange.responseStarted(),
							null));
				}
				else {
					this.broken = true;
					ctx.close();
				}
				return;
			}
			if (part instanceof FastCgiDecodingFailure failure) {
				fail(BackendException.broken("malformed FastCGI response: " + failure.reason(),
						!exchange.responseStarted(), null));
				return;
			}
			exchange.received(part);
		}

		private static boolean isForThisRequest(FastCgiResponsePart part) {
			int requestId = (part instanceof FastCgiStdout stdout) ? stdout.requestId()
					: (part instanceof FastCgiStderr stderr) ? stderr.requestId()
					: (part instanceof FastCgiEndRequest end) ? end.requestId() : REQUEST_ID;
			return requestId == REQUEST_ID;
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			readIfWanted();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			this.broken = true;
			FastCgiExchange exchange = this.current;
			if (exchange != null) {
				String reason = "backend closed the connection before END_REQUEST";
				// Closed before any record: the connection, not the request, is what failed (see connectionLost).
				fail(exchange.responseStarted() ? BackendException.broken(reason, false, null)
						: BackendException.connectionLost(reason, null));
			}
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			// Neither the message nor the cause of the socket error is passed on: Spring takes an exception that
			// mentions "connection reset by peer" for a disconnected client and ends the response as if it were
			// complete, which would hide a truncated body from the client.
			if (cause instanceof Error) {
				// Not a socket error but a fault of this server on the connection's event loop: show where it was.
				logger.error("Connection to a FastCGI backend failed", cause);
			}
			else {
				logger.debug("Connection to a FastCGI backend failed", cause);
			}
			FastCgiExchange exchange = this.current;
			String reason = "the connection to the backend failed (" + BackendException.describe(cause) + ")";
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
			FastCgiExchange exchange = this.current;
			this.current = null;
			this.broken = true;
			context().close();
			if (exchange != null) {
				exchange.failed(ex);
			}
		}

	}

}
