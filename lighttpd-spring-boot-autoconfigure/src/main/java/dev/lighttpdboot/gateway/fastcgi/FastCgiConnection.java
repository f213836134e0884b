package dev.lighttpdboot.gateway.fastcgi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.BackendException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * One connection to a FastCGI backend. It carries one request at a time, always with request id 1 (php-fpm and
 * most backends do not multiplex), and stays open between requests when the backend honours
 * {@code FCGI_KEEP_CONN}.
 * <p>Reading follows demand: the socket is read only while the consumer of the response has asked for more, so a
 * slow client of a large response holds back the backend instead of filling the heap.
 */
public final class FastCgiConnection {

	private static final org.apache.commons.logging.Log logger = org.apache.commons.logging.LogFactory
		.getLog(FastCgiConnection.class);

	static final int REQUEST_ID = 1;

	static final String ROUTER_NAME = "lighttpd.fastcgi.router";

	private final Connection connection;

	private final ResponseRouter router;

	private volatile int requests;

	FastCgiConnection(Connection connection, Duration readTimeout) {
		this.connection = connection;
		this.router = new ResponseRouter(readTimeout);
		Channel channel = connection.channel();
		channel.config().setAutoRead(false);
		connection.addHandlerLast("lighttpd.fastcgi.codec", new FastCgiClientCodec());
		connection.addHandlerLast(ROUTER_NAME, this.router);
	}

	/**
	 * Send a request and return its response parts, END_REQUEST included, in order. The caller releases each
	 * part it receives; cancelling the returned Flux before END_REQUEST leaves the connection unusable.
	 * @param params the CGI environment
	 * @param stdin the request body, already complete (a spooled body), written with back-pressure
	 * @return the response parts, failing with a {@link BackendException} when the connection breaks
	 */
	public Flux<FastCgiResponsePart> exchange(List<Map.Entry<String, String>> params, Flux<ByteBuf> stdin) {
		this.requests = this.requests + 1;
		Flux<FastCgiResponsePart> response = Flux.<FastCgiResponsePart>create(this.router::start)
			.doOnDiscard(ReferenceCounted.class, FastCgiConnection::releaseDiscarded);
		// BEGIN_REQUEST and PARAMS are not flushed on their own: they leave with the first STDIN record (for a
		// request without a body, all in one write). A failure to write them closes the channel, which fails the
		// response (channelInactive) and the STDIN writes after them.
		Mono<Void> request = Mono.<Void>fromRunnable(() -> {
			Channel channel = this.connection.channel();
			channel.write(new FastCgiBeginRequest(REQUEST_ID, FastCgiRole.RESPONDER, true), channel.voidPromise());
			channel.write(new FastCgiParams(REQUEST_ID, params), channel.voidPromise());
		})
			.thenMany(stdin.concatMap((content) -> write(new FastCgiStdin(REQUEST_ID, content)))
				// Buffers prefetched but never written (cancel, write error) are released here.
				.doOnDiscard(ReferenceCounted.class, FastCgiConnection::releaseDiscarded))
			.then(Mono.defer(() -> write(FastCgiStdin.endOfStream(REQUEST_ID))))
			.onErrorMap((ex) -> !(ex instanceof BackendException),
					(ex) -> BackendException.connectionLost("writing the request failed (" + BackendException.describe(ex)
							+ ")", ex));
		// The response is subscribed first so that no record can arrive before its consumer exists.
		return response.mergeWith(request.then(Mono.empty()));
	}

	/**
	 * Release a discarded record or buffer once. Reactor runs every discard hook of the subscriber's context that
	 * matches an element, so an element discarded below several hooks for {@code ReferenceCounted} (this class's
	 * and its caller's) reaches each of them: only the first may release it.
	 */
	static void releaseDiscarded(ReferenceCounted discarded) {
		if (discarded.refCnt() > 0) {
			ReferenceCountUtil.safeRelease(discarded);
		}
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
	public boolean isReusable() {
		return this.connection.channel().isActive() && this.router.isIdle();
	}

	/**
	 * Close the connection.
	 */
	public void close() {
		this.connection.dispose();
	}

	private Mono<Void> write(FastCgiRequestPart part) {
		Channel channel = this.connection.channel();
		return Mono.create((sink) -> channel.writeAndFlush(part).addListener((future) -> {
			if (future.isSuccess()) {
				sink.success();
			}
			else {
				sink.error(future.cause());
			}
		}));
	}

	/**
	 * Hands the records of the current response to its consumer, and reads the socket only on demand. The read
	 * timeout runs while a read is wanted and nothing arrives, as nginx's fastcgi_read_timeout measures the time
	 * between two reads from the backend: a client that reads slowly does not make the backend look silent.
	 * <p>State is changed on the channel's event loop only; {@code sink} and {@code broken} are volatile because the
	 * pool reads them from other threads to decide whether the connection can be reused.
	 */
	private static final class ResponseRouter extends ChannelInboundHandlerAdapter {

		private final Duration readTimeout;

		private ChannelHandlerContext context;

		private volatile FluxSink<FastCgiResponsePart> sink;

		private boolean responseStarted;

		private volatile boolean broken;

		private ScheduledFuture<?> readTimer;

		ResponseRouter(Duration readTimeout) {
			this.readTimeout = readTimeout;
		}

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			this.context = ctx;
		}

		void start(FluxSink<FastCgiResponsePart> sink) {
			this.context.executor().execute(() -> {
				if (this.sink != null || this.broken || !this.context.channel().isActive()) {
					sink.error(BackendException.connectionLost("connection closed before the request", null));
					return;
				}
				this.sink = sink;
				this.responseStarted = false;
				sink.onRequest((n) -> this.context.executor().execute(this::readIfWanted));
				sink.onCancel(() -> this.context.executor().execute(() -> abandon(sink)));
				readIfWanted();
			});
		}

		boolean isIdle() {
			return this.sink == null && !this.broken;
		}

		private void readIfWanted() {
			if (this.sink != null && this.sink.requestedFromDownstream() > 0) {
				if (this.readTimer == null) {
					this.readTimer = this.context.executor()
						.schedule(this::readTimedOut, this.readTimeout.toMillis(), TimeUnit.MILLISECONDS);
				}
				this.context.read();
			}
		}

		private void readTimedOut() {
			this.readTimer = null;
			if (this.sink != null) {
				this.broken = true;
				fail(BackendException.timeout("no answer from the backend within " + this.readTimeout,
						!this.responseStarted));
				this.context.close();
			}
		}

		private void stopReadTimer() {
			if (this.readTimer != null) {
				this.readTimer.cancel(false);
				this.readTimer = null;
			}
		}

		private void abandon(FluxSink<FastCgiResponsePart> cancelled) {
			if (this.sink == cancelled) {
				// The rest of this response will never be read: the connection cannot carry another request.
				stopReadTimer();
				this.sink = null;
				this.broken = true;
				this.context.close();
			}
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			stopReadTimer();
			FluxSink<FastCgiResponsePart> current = this.sink;
			if (current == null || !(msg instanceof FastCgiResponsePart part) || !isForThisRequest(part)) {
				// Records outside a request (a late answer after an abandoned one) mean the stream is out of step.
				ReferenceCountUtil.release(msg);
				this.broken = true;
				ctx.close();
				return;
			}
			if (part instanceof FastCgiDecodingFailure failure) {
				fail(BackendException.broken("malformed FastCGI response: " + failure.reason(), !this.responseStarted,
						null));
				ctx.close();
				return;
			}
			this.responseStarted = true;
			current.next(part);
			if (part instanceof FastCgiEndRequest) {
				this.sink = null;
				current.complete();
			}
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
			String reason = "backend closed the connection before END_REQUEST";
			// Closed before any record: the connection, not the request, is what failed (see connectionLost).
			fail(this.responseStarted ? BackendException.broken(reason, false, null)
					: BackendException.connectionLost(reason, null));
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			this.broken = true;
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
			String reason = "the connection to the backend failed (" + BackendException.describe(cause) + ")";
			fail(this.responseStarted ? BackendException.broken(reason, false, cause)
					: BackendException.connectionLost(reason, cause));
			ctx.close();
		}

		private void fail(BackendException ex) {
			stopReadTimer();
			FluxSink<FastCgiResponsePart> current = this.sink;
			this.sink = null;
			if (current != null) {
				current.error(ex);
			}
		}

	}

}
