package dev.lighttpdboot.gateway.scgi;

import java.time.Duration;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.connection.DemandDrivenReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * One SCGI connection, good for one request: the header and body are written, and the response is everything
 * the backend sends until it closes the connection (SCGI has no other end marker).
 * <p>The socket is read only while the response's consumer wants bytes, so a slow client slows the reads (and,
 * through TCP, the backend) instead of filling memory. The read timeout runs only while a read is wanted and
 * nothing arrives.
 */
final class ScgiConnection {

	private static final Log logger = LogFactory.getLog(ScgiConnection.class);

	private final Connection connection;

	private final ResponseReader reader;

	ScgiConnection(Connection connection, Duration readTimeout) {
		this.connection = connection;
		this.reader = new ResponseReader(readTimeout);
		Channel channel = connection.channel();
		channel.config().setAutoRead(false);
		connection.addHandlerLast("lighttpd.scgi.response", this.reader);
	}

	/**
	 * Send a request and return the bytes of its response, up to the backend's close. The caller releases each
	 * buffer; cancelling closes the connection.
	 * @param header the netstring header
	 * @param body the request body, written with back-pressure
	 */
	Flux<ByteBuf> exchange(ByteBuf header, Flux<ByteBuf> body) {
		Flux<ByteBuf> response = Flux.<ByteBuf>create(this.reader::start)
			.doOnDiscard(ReferenceCounted.class, ScgiConnection::releaseDiscarded);
		Mono<Void> request = write(header)
			.thenMany(body.concatMap(this::write)
				.doOnDiscard(ReferenceCounted.class, ScgiConnection::releaseDiscarded))
			.then()
			.onErrorMap((ex) -> !(ex instanceof BackendException),
					(ex) -> BackendException.broken("writing the request failed (" + BackendException.describe(ex) + ")",
							true, ex));
		// The response is subscribed first so that no byte can arrive before its consumer exists.
		return response.mergeWith(request.then(Mono.empty()));
	}

	static void releaseDiscarded(ReferenceCounted discarded) {
		if (discarded.refCnt() > 0) {
			ReferenceCountUtil.safeRelease(discarded);
		}
	}

	void close() {
		this.connection.dispose();
	}

	private Mono<Void> write(ByteBuf content) {
		Channel channel = this.connection.channel();
		return Mono.create((sink) -> channel.writeAndFlush(content).addListener((future) -> {
			if (future.isSuccess()) {
				sink.success();
			}
			else {
				sink.error(future.cause());
			}
		}));
	}

	/**
	 * Hands the response bytes to their consumer on demand; the backend's close ends the response.
	 */
	private static final class ResponseReader extends DemandDrivenReader {

		private @Nullable FluxSink<ByteBuf> sink;

		private boolean responseStarted;

		ResponseReader(Duration readTimeout) {
			super(readTimeout);
		}

		void start(FluxSink<ByteBuf> sink) {
			context().executor().execute(() -> {
				if (this.sink != null || !context().channel().isActive()) {
					sink.error(BackendException.broken("the backend closed the connection before the request", true,
							null));
					return;
				}
				this.sink = sink;
				sink.onRequest((n) -> context().executor().execute(this::readIfWanted));
				sink.onCancel(() -> context().executor().execute(this::abandon));
				readIfWanted();
			});
		}

		@Override
		protected boolean wantsRead() {
			FluxSink<ByteBuf> current = this.sink;
			return current != null && current.requestedFromDownstream() > 0;
		}

		@Override
		protected void readTimedOut() {
			if (this.sink != null) {
				fail(BackendException.timeout("no answer from the backend within " + readTimeout(),
						!this.responseStarted));
				context().close();
			}
		}

		private void abandon() {
			stopReadTimer();
			this.sink = null;
			context().close();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			stopReadTimer();
			FluxSink<ByteBuf> current = this.sink;
			if (current == null || !(msg instanceof ByteBuf bytes)) {
				ReferenceCountUtil.release(msg);
				ctx.close();
				return;
			}
			this.responseStarted = true;
			current.next(bytes);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			stopReadTimer();
			FluxSink<ByteBuf> current = this.sink;
			this.sink = null;
			if (current != null) {
				if (this.responseStarted) {
					// The end of an SCGI response: whether it is complete, only a Content-Length can tell (the route
					// checks it).
					current.complete();
				}
				else {
					current.error(BackendException.broken("the backend closed the connection without a response", true,
							null));
				}
			}
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			// The message of a socket error is not passed on: Spring takes "connection reset by peer" for a
			// disconnected client and would end a truncated response as if it were complete.
			if (cause instanceof Error) {
				logger.error("Connection to an SCGI backend failed", cause);
			}
			else {
				logger.debug("Connection to an SCGI backend failed", cause);
			}
			fail(BackendException.broken("the connection to the backend failed (" + BackendException.describe(cause)
					+ ")", !this.responseStarted, cause));
			ctx.close();
		}

		private void fail(BackendException ex) {
			stopReadTimer();
			FluxSink<ByteBuf> current = this.sink;
			this.sink = null;
			if (current != null) {
				current.error(ex);
			}
		}

	}

}
