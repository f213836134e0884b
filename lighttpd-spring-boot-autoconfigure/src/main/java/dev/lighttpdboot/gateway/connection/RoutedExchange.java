package dev.lighttpdboot.gateway.connection;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayResponse;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * The life of one request on a {@link RoutedConnection}, on the connection's event loop: it starts (or finds the
 * connection gone), streams its response body at the pace its consumer asks for, and gives the connection back
 * exactly once, kept for the next request or closed. A protocol writes the request and reads its messages.
 * <p>Its listener hears of the head or of a failure before it, then, exactly once, that the connection is free
 * again.
 * @param <C> the protocol's connection
 * @param <E> the protocol's exchange (this type)
 */
public abstract class RoutedExchange<C extends RoutedConnection<C, E>, E extends RoutedExchange<C, E>>
		implements ConnectionExchange<C> {

	private final ExchangeListener<C> listener;

	/** Set on the event loop when the request starts; read by {@link #cancel()} from any thread. */
	private volatile @Nullable C connection;

	private boolean reused;

	private boolean responseStarted;

	private @Nullable StreamedResponseBody responseBody;

	/** A head that arrived and is not handed on yet: until the end of the read that brought it. */
	private @Nullable GatewayResponse heldHead;

	/** Set once the connection was given back (or never taken): nothing more is read or written. */
	private boolean finished;

	private volatile boolean cancelled;

	/**
	 * Create an exchange.
	 * @param listener what hears of the response and of the connection's return
	 */
	protected RoutedExchange(ExchangeListener<C> listener) {
		this.listener = listener;
	}

	/**
	 * Return this exchange as the protocol's type.
	 */
	protected abstract E self();

	/**
	 * The connection took the request: write it. On the event loop.
	 */
	protected abstract void writeRequest();

	/**
	 * Stop reading the request body (the exchange is over) and release what is held of it. On the event loop.
	 */
	protected abstract void stopRequest();

	/** The connection the request started on; the callbacks that use it only run once it has. */
	protected final C connection() {
		C connection = this.connection;
		if (connection == null) {
			throw new IllegalStateException("the exchange has not started on a connection");
		}
		return connection;
	}

	@Override
	public final void start(C connection) {
		connection.start(self());
	}

	/**
	 * The connection could not take the request (closed while idle).
	 */
	final void startFailed(C connection, BackendException ex, boolean reused) {
		this.connection = connection;
		this.finished = true;
		stopRequest();
		this.listener.done(connection);
		if (!this.cancelled) {
			this.listener.failed(ex, reused);
		}
	}

	/**
	 * The connection took the request: write it.
	 */
	final void started(C connection, boolean reused) {
		this.connection = connection;
		this.reused = reused;
		if (this.cancelled) {
			abandon();
			return;
		}
		writeRequest();
	}

	/**
	 * Whether any message of the response has arrived.
	 */
	public final boolean responseStarted() {
		return this.responseStarted;
	}

	/**
	 * A message of the response arrived.
	 */
	protected final void markResponseStarted() {
		this.responseStarted = true;
	}

	/**
	 * Whether the connection was given back: nothing more is read or written.
	 */
	protected final boolean isFinished() {
		return this.finished;
	}

	final boolean wantsRead() {
		StreamedResponseBody body = this.responseBody;
		return !this.finished && (body == null || body.wantsMore());
	}

	/**
	 * The consumer of the head went away before it arrived; any thread.
	 */
	@Override
	public final void cancel() {
		this.cancelled = true;
		C current = this.connection;
		if (current != null) {
			onLoop(current.eventLoop(), () -> {
				if (this.responseBody == null) {
					abandon();
				}
			});
		}
	}

	/**
	 * Return the response body, or {@code null} before the head arrived.
	 */
	protected final @Nullable StreamedResponseBody responseBody() {
		return this.responseBody;
	}

	/**
	 * The head arrived: create the body that streams the rest of the response, read at the pace its consumer asks
	 * for. The caller adds what it already has and then hands the head on with {@link #respond}.
	 */
	protected final StreamedResponseBody openResponseBody() {
		C connection = connection();
		StreamedResponseBody body = new StreamedResponseBody(connection.eventLoop(), connection::readIfWanted,
				this::abandon);
		this.responseBody = body;
		return body;
	}

	/**
	 * Hand the response on to the listener, at the end of the read in which its head arrived: what else that read
	 * brought (for a small answer, the rest of the body and its end) is in the body by then, so the answer can
	 * leave with its head in one write.
	 */
	protected final void respond(GatewayResponse response) {
		this.heldHead = response;
		connection().holdHead(self());
	}

	/**
	 * Hand on the head that {@link #respond} holds, if any, saying whether its whole body is at hand. On the event
	 * loop.
	 */
	final void deliverHead() {
		GatewayResponse response = this.heldHead;
		if (response == null) {
			return;
		}
		this.heldHead = null;
		StreamedResponseBody body = this.responseBody;
		long complete = (body != null) ? body.completeLength() : -1;
		this.listener.head((complete >= 0) ? response.withCompleteBody(complete) : response);
	}

	/**
	 * The backend ended the response: give the connection back, kept for the next request or closed.
	 * @param keep whether the connection can carry another request
	 * @return the response body, or {@code null} if the head never came
	 */
	protected final @Nullable StreamedResponseBody endResponse(boolean keep) {
		this.finished = true;
		stopRequest();
		if (keep) {
			connection().requestEnded(self());
		}
		else {
			connection().abandon(self());
		}
		this.listener.done(connection());
		return this.responseBody;
	}

	/**
	 * The response ended before its head, after the connection was given back.
	 */
	protected final void endedWithoutHead(BackendException ex) {
		this.listener.failed(ex, this.reused);
	}

	/**
	 * The request failed on a broken stream: close the connection, then fail the request. On the event loop.
	 */
	protected final void abandonAndFail(BackendException ex) {
		connection().abandon(self());
		failed(ex);
	}

	/**
	 * The request failed; the connection has already been closed. On the event loop.
	 */
	protected final void failed(BackendException ex) {
		if (this.finished) {
			return;
		}
		this.finished = true;
		stopRequest();
		this.listener.done(connection());
		StreamedResponseBody body = this.responseBody;
		if (body == null) {
			if (!this.cancelled) {
				this.listener.failed(ex, this.reused);
			}
		}
		else {
			body.error(ex);
		}
	}

	/**
	 * Nobody wants the rest of the response: close the connection and give it back. On the event loop.
	 */
	protected final void abandon() {
		if (this.finished) {
			return;
		}
		this.finished = true;
		stopRequest();
		connection().abandon(self());
		this.listener.done(connection());
	}

	/**
	 * Run a task on an event loop: at once when already on it.
	 */
	protected static void onLoop(EventLoop loop, Runnable task) {
		if (loop.inEventLoop()) {
			task.run();
		}
		else {
			loop.execute(task);
		}
	}

}
