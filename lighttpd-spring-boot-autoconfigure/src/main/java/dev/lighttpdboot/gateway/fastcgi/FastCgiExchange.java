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
import dev.lighttpdboot.gateway.connection.ExchangeListener;
import dev.lighttpdboot.gateway.connection.RoutedExchange;
import dev.lighttpdboot.gateway.connection.StreamedResponseBody;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
final class FastCgiExchange extends RoutedExchange<FastCgiConnection, FastCgiExchange>
		implements CoreSubscriber<DataBuffer> {

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

	private volatile @Nullable Subscription stdinSubscription;

	private volatile boolean stdinStopped;

	private boolean headWritten;

	/** Set on the event loop once the empty STDIN record that ends the request has been written. */
	private boolean requestWritten;

	FastCgiExchange(String backend, List<Map.Entry<String, String>> params, Publisher<DataBuffer> stdin,
			StderrListener stderr, int maxHeadSize, ExchangeListener<FastCgiConnection> listener) {
		super(listener);
		this.backend = backend;
		this.params = params;
		this.stdin = stdin;
		this.stderr = stderr;
		this.parser = new CgiResponseHeadParser(maxHeadSize);
	}

	@Override
	protected FastCgiExchange self() {
		return this;
	}

	@Override
	protected void writeRequest() {
		this.stdin.subscribe(this);
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
			if (!isFinished()) {
				abandonAndFail(failure);
			}
		});
	}

	@Override
	protected void stopRequest() {
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
		markResponseStarted();
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
		if (isFinished()) {
			DataBufferUtils.release(buffer);
			return;
		}
		StreamedResponseBody body = responseBody();
		if (body != null) {
			body.add(buffer);
			return;
		}
		Optional<CgiResponseHeadParser.Parsed> parsed;
		try {
			parsed = this.parser.feed(buffer);
		}
		catch (InvalidCgiResponseException ex) {
			abandonAndFail(BackendException.broken("invalid response head from " + this.backend + ": " + ex.getReason(),
					false, ex));
			return;
		}
		if (parsed.isEmpty()) {
			return;
		}
		body = openResponseBody();
		DataBuffer first = parsed.get().body();
		if (first.readableByteCount() > 0) {
			body.add(first);
		}
		else {
			DataBufferUtils.release(first);
		}
		respond(new GatewayResponse(parsed.get().head(), body));
	}

	private void endRequest(FastCgiEndRequest end) {
		if (isFinished()) {
			return;
		}
		// If the backend answered before it had the whole request, what is still on its way would arrive as records
		// of a request it has ended, so the connection cannot carry another one.
		StreamedResponseBody body = endResponse(this.requestWritten);
		BackendException refused = (end.protocolStatus() != ProtocolStatus.REQUEST_COMPLETE)
				? BackendException.unavailable(this.backend + " refused the request: " + end.protocolStatus(), null)
				: null;
		if (body == null) {
			endedWithoutHead((refused != null) ? refused
					: BackendException.broken(this.backend + " ended the request without a response head", false, null));
		}
		else if (refused == null) {
			body.complete();
		}
		else {
			body.error(refused);
		}
	}

}
