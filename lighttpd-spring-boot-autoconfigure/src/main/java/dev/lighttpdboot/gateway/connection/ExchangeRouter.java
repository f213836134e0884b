package dev.lighttpdboot.gateway.connection;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.BackendException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of a {@link RoutedConnection}'s pipeline: it hands the decoded messages of the current response
 * to its exchange, and reads the socket only on demand (the channel's auto-read is off), so a slow client of a
 * large response holds back the backend instead of filling the heap. The read timeout runs while a read is wanted
 * and nothing arrives: a client that reads slowly does not make the backend look silent.
 * <p>A protocol decides only what a decoded message means ({@link #route}) and how its failures are worded.
 * <p>State is changed on the channel's event loop only; {@code current} and {@code broken} are volatile because the
 * pool reads them from other threads to decide whether the connection can be reused.
 * @param <C> the protocol's connection
 * @param <E> the protocol's exchange
 */
public abstract class ExchangeRouter<C extends RoutedConnection<C, E>, E extends RoutedExchange<C, E>>
		extends ChannelInboundHandlerAdapter {

	private final Log logger;

	private final Duration readTimeout;

	private @Nullable ChannelHandlerContext context;

	private volatile @Nullable E current;

	private volatile boolean broken;

	private @Nullable ScheduledFuture<?> readTimer;

	/**
	 * Create a router.
	 * @param logger where a failed connection is logged
	 * @param readTimeout how long a wanted read may bring nothing
	 */
	protected ExchangeRouter(Log logger, Duration readTimeout) {
		this.logger = logger;
		this.readTimeout = readTimeout;
	}

	/**
	 * Return what the backend is called in failure messages ("backend", "container").
	 */
	protected abstract String peer();

	/**
	 * Return the reason of a failure when the backend closes the connection in the middle of a response.
	 */
	protected abstract String closedMidResponse();

	/**
	 * Return the log message of a connection that failed.
	 */
	protected abstract String connectionFailed();

	/**
	 * Hand a message that arrived during the exchange's response to it, or {@link #fail} the exchange if the
	 * message is malformed or out of step; the message is released either way.
	 * @param exchange the current exchange
	 * @param msg what the decoder produced
	 */
	protected abstract void route(E exchange, Object msg);

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

	void start(C connection, E exchange, boolean reused) {
		if (this.current != null || this.broken || !context().channel().isActive()) {
			exchange.startFailed(connection,
					BackendException.connectionLost("connection closed before the request", null), reused);
			return;
		}
		this.current = exchange;
		exchange.started(connection, reused);
		readIfWanted();
	}

	boolean isIdle() {
		return this.current == null && !this.broken;
	}

	void readIfWanted() {
		E exchange = this.current;
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
		E exchange = this.current;
		if (exchange != null) {
			fail(BackendException.timeout("no answer from the " + peer() + " within " + this.readTimeout,
					!exchange.responseStarted()));
		}
	}

	private void stopReadTimer() {
		if (this.readTimer != null) {
			this.readTimer.cancel(false);
			this.readTimer = null;
		}
	}

	void ended(E exchange) {
		if (this.current == exchange) {
			stopReadTimer();
			this.current = null;
		}
	}

	void abandon(E exchange) {
		if (this.current == exchange) {
			stopReadTimer();
			this.current = null;
			this.broken = true;
			context().close();
		}
	}

	@Override
	public final void channelRead(ChannelHandlerContext ctx, Object msg) {
		stopReadTimer();
		E exchange = this.current;
		if (exchange == null) {
			// A message outside a request (a late answer after an abandoned one): the stream is out of step.
			discard(msg);
			return;
		}
		route(exchange, msg);
	}

	/**
	 * Release a message that belongs to no request and close the connection: the stream is out of step.
	 */
	protected final void discard(Object msg) {
		ReferenceCountUtil.release(msg);
		this.broken = true;
		context().close();
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		readIfWanted();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		this.broken = true;
		E exchange = this.current;
		if (exchange != null) {
			String reason = closedMidResponse();
			// Closed before any message: the connection, not the request, is what failed (see connectionLost).
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
			this.logger.error(connectionFailed(), cause);
		}
		else {
			this.logger.debug(connectionFailed(), cause);
		}
		E exchange = this.current;
		String reason = "the connection to the " + peer() + " failed (" + BackendException.describe(cause) + ")";
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
	protected final void fail(BackendException ex) {
		stopReadTimer();
		E exchange = this.current;
		this.current = null;
		this.broken = true;
		context().close();
		if (exchange != null) {
			exchange.failed(ex);
		}
	}

}
