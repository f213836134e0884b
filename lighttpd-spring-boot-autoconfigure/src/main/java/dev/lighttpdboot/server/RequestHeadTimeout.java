package dev.lighttpdboot.server;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A whole-head deadline for the HTTP/1.1 requests of one connection, as nginx's {@code client_header_timeout}:
 * the clock starts with the first byte of each request (over TLS: the first decrypted byte, so a slow handshake,
 * bounded by Reactor Netty's handshake timeout, does not count) and stops when the codec has decoded the head.
 * A connection that sends nothing at all is left to the keep-alive idle timeout. A client that trickles its head one byte
 * at a time never resets it (Reactor Netty's idle timeout is reset by every read). On expiry the client gets
 * {@code 408} and the connection is closed.
 * <p>Two handlers share this state: {@link #bytes()} goes before the HTTP codec (it sees raw bytes arrive) and
 * {@link #messages()} after it (it sees decoded heads and finished responses). A connection that leaves
 * HTTP/1.1 is not timed: after an h2c Upgrade the upgrading request stays unanswered as far as these handlers can
 * see, and with h2c prior knowledge the preface goes to the HTTP/2 codec, placed before these handlers.
 */
final class RequestHeadTimeout {

	private static final Log logger = LogFactory.getLog(RequestHeadTimeout.class);

	private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n"
			+ "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

	static final String BYTES_NAME = "lighttpd.requestHeadTimeout.bytes";

	static final String MESSAGES_NAME = "lighttpd.requestHeadTimeout.messages";

	private final long timeoutNanos;

	private final ServerRefusals refusals;

	private final Bytes bytes = new Bytes();

	private final Messages messages = new Messages();

	/** Requests decoded whose answer's end is not written yet (more than one when pipelined). */
	private int unanswered;

	private @Nullable ScheduledFuture<?> deadline;

	/** Set once the deadline passed: the connection is closing. */
	private boolean timedOut;

	private @Nullable ChannelHandlerContext bytesContext;

	RequestHeadTimeout(long timeoutNanos, ServerRefusals refusals) {
		this.timeoutNanos = timeoutNanos;
		this.refusals = refusals;
	}

	/**
	 * Add both handlers around the connection's HTTP/1.1 codec, if it has one.
	 */
	void install(ChannelPipeline pipeline) {
		ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
		if (codec == null || pipeline.get(BYTES_NAME) != null) {
			return;
		}
		pipeline.addBefore(codec.name(), BYTES_NAME, this.bytes);
		pipeline.addAfter(codec.name(), MESSAGES_NAME, this.messages);
	}

	Bytes bytes() {
		return this.bytes;
	}

	Messages messages() {
		return this.messages;
	}

	private void arm() {
		if (this.deadline == null && this.bytesContext != null) {
			this.deadline = this.bytesContext.executor().schedule(this::expired, this.timeoutNanos,
					TimeUnit.NANOSECONDS);
		}
	}

	private void disarm() {
		if (this.deadline != null) {
			this.deadline.cancel(false);
			this.deadline = null;
		}
	}

	private void expired() {
		this.deadline = null;
		ChannelHandlerContext ctx = this.bytesContext;
		if (ctx == null || ctx.isRemoved() || !ctx.channel().isActive() || this.unanswered > 0) {
			return;
		}
		if (ctx.pipeline().get(HttpServerCodec.class) == null) {
			// The connection speaks HTTP/2 now: no request head of ours to wait for.
			stepAside(ctx.pipeline());
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Request head not received within " + TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos)
					+ " ms, closing " + ctx.channel());
		}
		this.refusals.refused(ServerRefusals.HEADER_TIMEOUT);
		this.timedOut = true;
		ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
	}

	private void stepAside(ChannelPipeline pipeline) {
		disarm();
		if (pipeline.get(BYTES_NAME) != null) {
			pipeline.remove(BYTES_NAME);
		}
		if (pipeline.get(MESSAGES_NAME) != null) {
			pipeline.remove(MESSAGES_NAME);
		}
	}

	/** Before the codec: starts the clock when a new request's first byte arrives. */
	final class Bytes extends ChannelInboundHandlerAdapter {

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			RequestHeadTimeout.this.bytesContext = ctx;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (RequestHeadTimeout.this.unanswered == 0 && msg instanceof ByteBuf buf && buf.isReadable()) {
				arm();
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			disarm();
			ctx.fireChannelInactive();
		}

		@Override
		public void handlerRemoved(ChannelHandlerContext ctx) {
			disarm();
		}

	}

	/** After the codec: stops the clock at each decoded head, notes when the end of each response is written. */
	final class Messages extends ChannelDuplexHandler {

		private boolean informational;

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (RequestHeadTimeout.this.timedOut) {
				// The half-received head the codec hands on when the connection closes: already answered with
				// 408, and Reactor Netty would log each one at WARN, a flood of lines under attack.
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpRequest) {
				RequestHeadTimeout.this.unanswered++;
				disarm();
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			if (msg instanceof HttpResponse response) {
				// 100 Continue and 101 Switching Protocols come before the real answer.
				this.informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
			}
			if (msg instanceof LastHttpContent && !this.informational
					&& RequestHeadTimeout.this.unanswered > 0) {
				// Answered once its end is written, not sent: the next request's bytes, read from then on, start
				// its clock; and the write keeps its promise as given (a void one costs no listener).
				RequestHeadTimeout.this.unanswered--;
			}
			ctx.write(msg, promise);
		}

	}

}
