package dev.lighttpdboot.gateway.connection;

import java.time.Duration;

import dev.lighttpdboot.gateway.BackendException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of a {@link RoutedConnection}'s pipeline: it hands the decoded messages of the current response
 * to its exchange, and reads the socket only when the exchange wants more.
 * <p>A protocol decides only what a decoded message means ({@link #route}) and how its failures are worded.
 * <p>State is changed on the channel's event loop only; {@code current} and {@code broken} are volatile because the
 * pool reads them from other threads to decide whether the connection can be reused.
 * @param <C> the protocol's connection
 * @param <E> the protocol's exchange
 */
public abstract class ExchangeRouter<C extends RoutedConnection<C, E>, E extends RoutedExchange<C, E>>
		extends DemandDrivenReader {

	private final Log logger;

	private final String peer;

	private final String closedMidResponse;

	private final String connectionFailed;

	private volatile @Nullable E current;

	private volatile boolean broken;

	/** Whether a read is under way: between the first message it brought and its end. */
	private boolean reading;

	/** An exchange whose response head waits for the end of the current read. */
	private @Nullable E headHeld;

	/**
	 * Create a router.
	 * @param readTimeout how long a wanted read may bring nothing
	 * @param logger where a failed connection is logged
	 * @param peer what the backend is called in failure messages ("backend", "container")
	 * @param closedMidResponse the reason of a failure when the backend closes the connection during a response
	 * @param connectionFailed the log message of a connection that failed
	 */
	protected ExchangeRouter(Duration readTimeout, Log logger, String peer, String closedMidResponse,
			String connectionFailed) {
		super(readTimeout);
		this.logger = logger;
		this.peer = peer;
		this.closedMidResponse = closedMidResponse;
		this.connectionFailed = connectionFailed;
	}

	/**
	 * Hand a message that arrived during the exchange's response to it, or {@link #fail} the exchange if the
	 * message is malformed or out of step; the message is released either way.
	 * @param exchange the current exchange
	 * @param msg what the decoder produced
	 */
	protected abstract void route(E exchange, Object msg);

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

	@Override
	protected final boolean wantsRead() {
		E exchange = this.current;
		return exchange != null && exchange.wantsRead();
	}

	@Override
	protected final void readTimedOut() {
		E exchange = this.current;
		if (exchange != null) {
			fail(BackendException.timeout("no answer from the " + this.peer + " within " + readTimeout(),
					!exchange.responseStarted()));
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

	/**
	 * Hand the exchange's head on once the current read has ended, so that what the same read brought after it is
	 * in its body; at once outside a read.
	 */
	void holdHead(E exchange) {
		if (!this.reading) {
			exchange.deliverHead();
			return;
		}
		E earlier = this.headHeld;
		if (earlier != null && earlier != exchange) {
			earlier.deliverHead();
		}
		this.headHeld = exchange;
	}

	private void deliverHeldHead() {
		this.reading = false;
		E exchange = this.headHeld;
		if (exchange != null) {
			this.headHeld = null;
			exchange.deliverHead();
		}
	}

	@Override
	public final void channelRead(ChannelHandlerContext ctx, Object msg) {
		this.reading = true;
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
		deliverHeldHead();
		super.channelReadComplete(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		this.broken = true;
		E exchange = this.current;
		if (exchange != null) {
			String reason = this.closedMidResponse;
			// Closed before any message: the connection, not the request, is what failed (see connectionLost).
			fail(exchange.responseStarted() ? BackendException.broken(reason, false, null)
					: BackendException.connectionLost(reason, null));
		}
		// A head still held (the read that brought it ended the connection) goes on, with its body's end.
		deliverHeldHead();
		super.channelInactive(ctx);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		// Neither the message nor the cause of the socket error is passed on: Spring takes an exception that
		// mentions "connection reset by peer" for a disconnected client and ends the response as if it were
		// complete, which would hide a truncated body from the client.
		if (cause instanceof Error) {
			// Not a socket error but a fault of this server on the connection's event loop: show where it was.
			this.logger.error(this.connectionFailed, cause);
		}
		else {
			this.logger.debug(this.connectionFailed, cause);
		}
		E exchange = this.current;
		String reason = "the connection to the " + this.peer + " failed (" + BackendException.describe(cause) + ")";
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
