package dev.lighttpdboot.gateway.ajp13;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import dev.lighttpdboot.gateway.connection.ExchangeListener;
import dev.lighttpdboot.gateway.connection.RoutedExchange;
import dev.lighttpdboot.gateway.connection.StreamedResponseBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatusCode;

/**
 * One request on an {@link Ajp13Connection}, as a state machine on the connection's event loop:
 * <ol>
 * <li>it writes the FORWARD_REQUEST and, when the request has a body, its first piece at once (Tomcat reads it
 * without asking);</li>
 * <li>it answers each GET_BODY_CHUNK with the next piece of the spooled body, at most what was asked for and what
 * fits one packet, and with the empty packet once the body is all sent;</li>
 * <li>it turns SEND_HEADERS into the response head and each SEND_BODY_CHUNK into a piece of the body, read from the
 * socket at the pace the body's consumer asks for;</li>
 * <li>at END_RESPONSE the connection is kept if the container said so and nothing it asked for is still owed,
 * else closed.</li>
 * </ol>
 */
final class Ajp13Exchange extends RoutedExchange<Ajp13Connection, Ajp13Exchange> implements CoreSubscriber<DataBuffer> {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private static final byte[] END_OF_BODY = { 0x12, 0x34, 0, 0 };

	private final String backend;

	private final byte[] forwardRequest;

	private final Publisher<DataBuffer> body;

	private final long bodyLength;

	private final int maxChunk;

	// The request body, on the event loop except where noted.

	private volatile @Nullable Subscription bodySubscription;

	private volatile boolean bodyStopped;

	/** The bytes the container asked for and has not been sent yet; 0 when nothing is owed. */
	private int owed;

	private @Nullable ByteBuf pending;

	private boolean pieceRequested;

	private boolean bodyComplete;

	Ajp13Exchange(String backend, byte[] forwardRequest, Publisher<DataBuffer> body, long bodyLength, int maxChunk,
			ExchangeListener<Ajp13Connection> listener) {
		super(listener);
		this.backend = backend;
		this.forwardRequest = forwardRequest;
		this.body = body;
		this.bodyLength = bodyLength;
		this.maxChunk = maxChunk;
	}

	@Override
	protected Ajp13Exchange self() {
		return this;
	}

	@Override
	protected void writeRequest() {
		Channel channel = connection().channel();
		if (this.bodyLength > 0) {
			channel.write(Unpooled.wrappedBuffer(this.forwardRequest), channel.voidPromise());
			// Tomcat reads the first piece of a body with a Content-Length without asking for it.
			bodyWanted(this.maxChunk);
		}
		else {
			channel.writeAndFlush(Unpooled.wrappedBuffer(this.forwardRequest)).addListener(this::written);
		}
	}

	// The request body ------------------------------------------------------------------------------------------

	private void bodyWanted(int length) {
		this.owed = Math.max(1, Math.min(length, this.maxChunk));
		sendOwed();
	}

	/** Send what the container asked for, if it is at hand; else fetch the next piece of the body. */
	private void sendOwed() {
		if (this.owed == 0 || isFinished()) {
			return;
		}
		Channel channel = connection().channel();
		ByteBuf piece = this.pending;
		if (piece != null && piece.isReadable()) {
			int length = Math.min(this.owed, piece.readableBytes());
			ByteBuf header = channel.alloc().buffer(6);
			header.writeShort(Ajp13.TO_CONTAINER).writeShort(length + 2).writeShort(length);
			channel.write(header, channel.voidPromise());
			channel.writeAndFlush(piece.readRetainedSlice(length)).addListener(this::written);
			if (!piece.isReadable()) {
				piece.release();
				this.pending = null;
			}
			this.owed = 0;
			return;
		}
		if (this.bodyComplete || this.bodyLength == 0) {
			channel.writeAndFlush(Unpooled.wrappedBuffer(END_OF_BODY)).addListener(this::written);
			this.owed = 0;
			return;
		}
		if (!this.pieceRequested) {
			this.pieceRequested = true;
			Subscription subscription = this.bodySubscription;
			if (subscription == null) {
				this.body.subscribe(this);
			}
			else {
				subscription.request(1);
			}
		}
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		if (Operators.validate(this.bodySubscription, subscription)) {
			this.bodySubscription = subscription;
			if (this.bodyStopped) {
				subscription.cancel();
			}
			else {
				subscription.request(1);
			}
		}
	}

	@Override
	public void onNext(DataBuffer buffer) {
		if (this.bodyStopped) {
			DataBufferUtils.release(buffer);
			return;
		}
		onLoop(connection().eventLoop(), () -> {
			if (isFinished()) {
				DataBufferUtils.release(buffer);
				return;
			}
			this.pieceRequested = false;
			if (this.pending != null) {
				this.pending.release();
			}
			this.pending = NettyDataBufferFactory.toByteBuf(buffer);
			sendOwed();
		});
	}

	@Override
	public void onError(Throwable ex) {
		onLoop(connection().eventLoop(), () -> {
			if (!isFinished()) {
				abandonAndFail(BackendException.broken("reading the request body failed ("
						+ BackendException.describe(ex) + ")", !responseStarted(), ex));
			}
		});
	}

	@Override
	public void onComplete() {
		onLoop(connection().eventLoop(), () -> {
			this.bodyComplete = true;
			this.pieceRequested = false;
			sendOwed();
		});
	}

	private void written(io.netty.util.concurrent.Future<? super Void> future) {
		if (!future.isSuccess()) {
			Throwable cause = future.cause();
			onLoop(connection().eventLoop(), () -> {
				if (!isFinished()) {
					abandonAndFail(responseStarted() ? BackendException.broken("writing the request failed", false, cause)
							: BackendException.connectionLost("writing the request failed ("
									+ BackendException.describe(cause) + ")", cause));
				}
			});
		}
	}

	@Override
	protected void stopRequest() {
		this.bodyStopped = true;
		Subscription subscription = this.bodySubscription;
		if (subscription != null) {
			subscription.cancel();
		}
		if (this.pending != null) {
			this.pending.release();
			this.pending = null;
		}
	}

	// The response ------------------------------------------------------------------------------------------------

	/**
	 * A packet of this request arrived; on the event loop.
	 */
	void received(Ajp13Packet packet) {
		if (isFinished()) {
			ReferenceCountUtil.release(packet);
			return;
		}
		markResponseStarted();
		if (packet instanceof Ajp13Packet.GetBodyChunk get) {
			bodyWanted(get.length());
		}
		else if (packet instanceof Ajp13Packet.SendHeaders headers) {
			headers(headers);
		}
		else if (packet instanceof Ajp13Packet.SendBodyChunk chunk) {
			bodyChunk(chunk);
		}
		else if (packet instanceof Ajp13Packet.EndResponse end) {
			ended(end.reuse());
		}
		else {
			ReferenceCountUtil.release(packet);
			outOfStep("an unexpected " + packet.getClass().getSimpleName() + " packet");
		}
	}

	private void headers(Ajp13Packet.SendHeaders headers) {
		if (responseBody() != null) {
			outOfStep("a second SEND_HEADERS");
			return;
		}
		if (headers.status() < 100 || headers.status() > 999) {
			outOfStep("the status " + headers.status());
			return;
		}
		StreamedResponseBody body = openResponseBody();
		respond(new GatewayResponse(
				new CgiResponseHead(HttpStatusCode.valueOf(headers.status()), headers.headers()), body));
	}

	private void bodyChunk(Ajp13Packet.SendBodyChunk chunk) {
		StreamedResponseBody body = responseBody();
		if (body == null) {
			chunk.release();
			outOfStep("a body chunk before SEND_HEADERS");
			return;
		}
		if (!chunk.content().isReadable()) {
			// An empty chunk asks for a flush: every piece is passed on as it comes anyway.
			chunk.release();
			return;
		}
		body.add(BUFFERS.wrap(chunk.content()));
	}

	private void ended(boolean reuse) {
		// Kept only if the container said so and nothing it asked for is still owed: a container that closes the
		// connection, or that asked for body bytes it was never sent, carries nothing more on it.
		StreamedResponseBody body = endResponse(reuse && this.owed == 0);
		if (body == null) {
			endedWithoutHead(BackendException.broken(this.backend + " ended the response without SEND_HEADERS",
					false, null));
		}
		else {
			body.complete();
		}
	}

	private void outOfStep(String what) {
		abandonAndFail(BackendException.broken("malformed AJP13 response from " + this.backend + ": " + what,
				responseBody() == null, null));
	}

}
