package dev.lighttpdboot.gateway.fastcgi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.cgi.CgiResponseHeadParser;
import dev.lighttpdboot.gateway.GatewayBackend.StderrListener;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.InvalidCgiResponseException;
import dev.lighttpdboot.gateway.connection.ConnectionExchange;
import dev.lighttpdboot.gateway.connection.ExchangeListener;
import dev.lighttpdboot.gateway.connection.StreamedResponseBody;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * One request on a {@link FastCgiConnection}, as a state machine on the connection's event loop: it writes the
 * request (BEGIN_REQUEST, PARAMS and, for a request without a body, the empty STDIN in one buffer and one flush;
 * a body with back-pressure, one piece at a time), parses the response head from the STDOUT records, and hands the
 * body on as the slices the decoder cut from the socket's buffers, at the pace its consumer asks for them.
 * <p>Its listener hears, on the event loop, of the head or of a failure before it, then, exactly once, that the
 * connection is free again (reusable after END_REQUEST, else closed).
 */
final class FastCgiExchange implements CoreSubscriber<DataBuffer>, ConnectionExchange<FastCgiConnection> {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	/**
	 * What becomes of an exchange.
	 */
	interface Listener extends ExchangeListener<FastCgiConnection> {

	}

	private final String backend;

	private final List<Map.Entry<String, String>> params;

	private final Publisher<DataBuffer> stdin;

	private final StderrListener stderr;

	private final CgiResponseHeadParser parser;

	private final ExchangeListener<FastCgiConnection> listener;

	/** Set on the event loop when the request starts; read by {@link #cancel()} from any thread. */
	private volatile @Nullable FastCgiConnection connection;

	private boolean reused;

	private boolean responseStarted;

	private @Nullable StreamedResponseBody body;

	/** Set once the connection was given back (or never taken): nothing more of the response is read. */
	private boolean finished;

	private volatile boolean cancelled;

	private volatile @Nullable Subscription stdinSubscription;

	private volatile boolean stdinStopped;

	private boolean headWritten;

	/** Set on the event loop once the empty STDIN record that ends the request has been written. */
	private boolean requestWritten;

	FastCgiExchange(String backend, List<Map.Entry<String, String>> params, Publisher<DataBuffer> stdin,
			StderrListener stderr, int maxHeadSize, ExchangeListener<FastCgiConnection> listener) {
		this.backend = backend;
		this.params = params;
		this.stdin = stdin;
		this.stderr = stderr;
		this.parser = new CgiResponseHeadParser(maxHeadSize);
		this.listener = listener;
	}

	/** The connection the request started on; the callbacks that use it only run once it has. */
	private FastCgiConnection connection() {
		FastCgiConnection connection = this.connection;
		if (connection == null) {
			throw new IllegalStateException("the exchange has not started on a connection");
		}
		return connection;
	}

	@Override
	public void start(FastCgiConnection connection) {
		connection.start(this);
	}

	/**
	 * The connection could not take the request (closed while idle).
	 */
	void startFailed(FastCgiConnection connection, BackendException ex, boolean reused) {
		this.connection = connection;
		this.finished = true;
		stopStdin();
		this.listener.done(connection);
		if (!this.cancelled) {
			this.listener.failed(ex, reused);
		}
	}

	/**
	 * The connection took the request: write it.
	 */
	void started(FastCgiConnection connection, boolean reused) {
		this.connection = connection;
		this.reused = reused;
		if (this.cancelled) {
			abandon();
			return;
		}
		this.stdin.subscribe(this);
	}

	boolean responseStarted() {
		return this.responseStarted;
	}

	boolean wantsRead() {
		return !this.finished && (this.body == null || this.body.wantsMore());
	}

	/**
	 * The consumer of the head went away before it arrived; any thread.
	 */
	@Override
	public void cancel() {
		this.cancelled = true;
		FastCgiConnection current = this.connection;
		if (current != null) {
			onLoop(current.eventLoop(), () -> {
				if (this.body == null) {
					abandon();
				}
			});
		}
	}

	// The request ------------------------------------------------------------------------------------------------

	private FastCgiRequestHead requestHead(boolean bodiless) {
		return new FastCgiRequestHead(new FastCgiBeginRequest(FastCgiConnection.REQUEST_ID, FastCgiRole.RESPONDER, true),
				new FastCgiParams(FastCgiConnection.REQUEST_ID, this.params), bodiless);
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		if (Operators.validate(this.stdinSubscription, subscription)) {
			this.stdinSubscription = subscription;
			if (this.stdinStopped) {
				subscription.cancel();
			}
			else {
				subscription.request(1);
			}
		}
	}

	@Override
	public void onNext(DataBuffer buffer) {
		if (this.stdinStopped) {
			DataBufferUtils.release(buffer);
			return;
		}
		Channel channel = connection().channel();
		if (!this.headWritten) {
			this.headWritten = true;
			channel.write(requestHead(false), channel.voidPromise());
		}
		channel.writeAndFlush(new FastCgiStdin(FastCgiConnection.REQUEST_ID, NettyDataBufferFactory.toByteBuf(buffer)))
			.addListener(this::pieceWritten);
	}

	private void pieceWritten(Future<? super Void> future) {
		if (future.isSuccess()) {
			Subscription subscription = this.stdinSubscription;
			if (!this.stdinStopped && subscription != null) {
				subscription.request(1);
			}
		}
		else {
			writeFailed(future.cause());
		}
	}

	@Override
	public void onError(Throwable ex) {
		writeFailed(ex);
	}

	@Override
	public void onComplete() {
		if (this.stdinStopped) {
			return;
		}
		Channel channel = connection().channel();
		// Without a body, the whole request is one buffer and one flush.
		ChannelFuture written = channel.writeAndFlush(this.headWritten
				? FastCgiStdin.endOfStream(FastCgiConnection.REQUEST_ID) : requestHead(true));
		this.headWritten = true;
		written.addListener((future) -> {
			if (future.isSuccess()) {
				this.requestWritten = true;
			}
			else {
				writeFailed(future.cause());
			}
		});
	}

	private void writeFailed(Throwable ex) {
		BackendException failure = (ex instanceof BackendException backendException) ? backendException
				: BackendException.connectionLost("writing the request failed (" + BackendException.describe(ex) + ")",
						ex);
		onLoop(connection().eventLoop(), () -> {
			if (!this.finished) {
				connection().abandon(this);
				failed(failure);
			}
		});
	}

	private void stopStdin() {
		this.stdinStopped = true;
		Subscription subscription = this.stdinSubscription;
		if (subscription != null) {
			subscription.cancel();
		}
	}

	// The response -----------------------------------------------------------------------------------------------

	/**
	 * A record of this request arrived; on the event loop.
	 */
	void received(FastCgiResponsePart part) {
		this.responseStarted = true;
		if (part instanceof FastCgiStdout stdout) {
			stdout(BUFFERS.wrap(stdout.content()));
		}
		else if (part instanceof FastCgiStderr error) {
			String text = error.content().toString(StandardCharsets.UTF_8).strip();
			error.release();
			if (!text.isEmpty()) {
				this.stderr.stderr(this.backend, text);
			}
		}
		else if (part instanceof FastCgiEndRequest end) {
			endRequest(end);
		}
		else {
			ReferenceCountUtil.release(part);
		}
	}

	private void stdout(DataBuffer buffer) {
		if (this.finished) {
			DataBufferUtils.release(buffer);
			return;
		}
		if (this.body != null) {
			this.body.add(buffer);
			return;
		}
		Optional<CgiResponseHeadParser.Parsed> parsed;
		try {
			parsed = this.parser.feed(buffer);
		}
		catch (InvalidCgiResponseException ex) {
			connection().abandon(this);
			failed(BackendException.broken("invalid response head from " + this.backend + ": " + ex.getReason(), false,
					ex));
			return;
		}
		if (parsed.isEmpty()) {
			return;
		}
		FastCgiConnection connection = connection();
		this.body = new StreamedResponseBody(connection.eventLoop(), connection::readIfWanted, this::abandon);
		DataBuffer first = parsed.get().body();
		if (first.readableByteCount() > 0) {
			this.body.add(first);
		}
		else {
			DataBufferUtils.release(first);
		}
		this.listener.head(new GatewayResponse(parsed.get().head(), this.body));
	}

	private void endRequest(FastCgiEndRequest end) {
		if (this.finished) {
			return;
		}
		this.finished = true;
		stopStdin();
		if (this.requestWritten) {
			connection().requestEnded(this);
		}
		else {
			// The backend answered before it had the whole request: what is still on its way would arrive as records
			// of a request it has ended, so the connection cannot carry another one.
			connection().abandon(this);
		}
		this.listener.done(connection());
		BackendException refused = (end.protocolStatus() != ProtocolStatus.REQUEST_COMPLETE)
				? BackendException.unavailable(this.backend + " refused the request: " + end.protocolStatus(), null)
				: null;
		StreamedResponseBody body = this.body;
		if (body == null) {
			this.listener.failed((refused != null) ? refused
					: BackendException.broken(this.backend + " ended the request without a response head", false, null),
					this.reused);
		}
		else if (refused == null) {
			body.complete();
		}
		else {
			body.error(refused);
		}
	}

	/**
	 * The request failed; the connection has already been closed. On the event loop.
	 */
	void failed(BackendException ex) {
		if (this.finished) {
			return;
		}
		this.finished = true;
		stopStdin();
		this.listener.done(connection());
		if (this.body == null) {
			if (!this.cancelled) {
				this.listener.failed(ex, this.reused);
			}
		}
		else {
			this.body.error(ex);
		}
	}

	/**
	 * Nobody wants the rest of the response: close the connection and give it back. On the event loop.
	 */
	private void abandon() {
		if (this.finished) {
			return;
		}
		this.finished = true;
		stopStdin();
		connection().abandon(this);
		this.listener.done(connection());
	}

	private static void onLoop(EventLoop loop, Runnable task) {
		if (loop.inEventLoop()) {
			task.run();
		}
		else {
			loop.execute(task);
		}
	}

}
