package dev.lighttpdboot.gateway.fastcgi;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.gateway.cgi.CgiResponseHeadParser;
import dev.lighttpdboot.gateway.cgi.InvalidCgiResponseException;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.pool.PoolBuilder;
import reactor.pool.PooledRef;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * A FastCGI backend (a php-fpm pool, a uwsgi socket) reached over TCP or a Unix-domain socket, with its own pool
 * of keep-alive connections.
 * <ul>
 * <li>At most {@code maxConnections} connections; requests beyond wait in a queue of {@code queueLimit}; beyond
 * that, 503 at once ({@link BackendException#queueFull()}: this server's limit, not a fault of the backend).</li>
 * <li>A connection the backend closed while idle (php-fpm's {@code pm.max_requests}) is dropped from the pool; a
 * GET, HEAD or OPTIONS whose reused connection turns out closed before any response byte is sent once more, on
 * another connection (other methods are not: the backend may have acted on them). A timeout or a malformed answer
 * is never retried: the backend had the request.</li>
 * <li>Connect failures: 503; silence longer than the read timeout: 504; a connection closed or a malformed
 * response: 502.</li>
 * </ul>
 */
public final class FastCgiBackend implements GatewayBackend {

	private static final Log logger = LogFactory.getLog(FastCgiBackend.class);

	private final String name;

	private final FastCgiBackendOptions options;

	private final CgiEnvironment environment;

	private final InstrumentedPool<FastCgiConnection> pool;

	/**
	 * Requests holding or waiting for a connection. The limit is checked here, before the pool is asked: the pool
	 * refuses the excess of a burst inside its drain loop, on whichever thread runs it (often the event loop that
	 * just gave a connection back), and each refusal runs the whole error path of its request there. Under a burst
	 * of hundreds of requests that loop barely ends, and the event loop it holds stops reading the backend's
	 * answers: the admitted requests starve while the overflow is refused.
	 */
	private final AtomicInteger admitted = new AtomicInteger();

	private final int admissionLimit;

	private final NettyDataBufferFactory bufferFactory = new NettyDataBufferFactory(io.netty.buffer.ByteBufAllocator.DEFAULT);

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 */
	public FastCgiBackend(String name, SocketAddress address, FastCgiBackendOptions options) {
		this(name, address, options, new CgiEnvironment());
	}

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 * @param environment builds the CGI environment of each request
	 */
	public FastCgiBackend(String name, SocketAddress address, FastCgiBackendOptions options,
			CgiEnvironment environment) {
		this.name = name;
		this.environment = environment;
		this.options = options;
		this.admissionLimit = options.maxConnections() + options.queueLimit();
		TcpClient client = TcpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis());
		Mono<FastCgiConnection> connect = client.connect()
			.map((connection) -> new FastCgiConnection(connection, options.readTimeout()));
		this.pool = PoolBuilder.from(connect)
			.sizeBetween(0, options.maxConnections())
			.maxPendingAcquire(options.queueLimit())
			.evictionPredicate((connection, metadata) -> !connection.isReusable()
					|| metadata.idleTime() > options.maxIdleTime().toMillis())
			.destroyHandler((connection) -> Mono.fromRunnable(connection::close))
			// Idle connections are closed even when no request comes: each one holds a php-fpm worker.
			.evictInBackground(options.maxIdleTime().dividedBy(2))
			.buildPool();
	}

	@Override
	public String name() {
		return this.name;
	}

	/**
	 * Send a request as a CGI environment and return the response once its head has arrived.
	 * @param request the request, with its script resolution; its body is read again if the request is sent a
	 * second time
	 * @param stderr receives each STDERR line the backend writes
	 * @return the response; fails with a {@link BackendException} (or {@link InvalidCgiResponseException}) before
	 * the head, or in the body once it started
	 */
	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		return Mono.defer(() -> {
			List<Map.Entry<String, String>> params = this.environment.build(request);
			Supplier<Flux<DataBuffer>> body = () -> request.body().content(this.bufferFactory);
			return attempt(params, body, stderr, true, request.safeMethod());
		});
	}

	private Mono<GatewayResponse> attempt(List<Map.Entry<String, String>> params, Supplier<Flux<DataBuffer>> body,
			StderrListener stderr, boolean mayRetry, boolean safe) {
		return Mono.defer(() -> {
			// A retry is let in whatever the count: the attempt it replaces is on its way out.
			if (this.admitted.incrementAndGet() > this.admissionLimit && mayRetry) {
				this.admitted.decrementAndGet();
				return Mono.error(queueFull());
			}
			AtomicBoolean left = new AtomicBoolean();
			Runnable leave = () -> {
				if (left.compareAndSet(false, true)) {
					this.admitted.decrementAndGet();
				}
			};
			return this.pool.acquire()
				.doOnError((ex) -> leave.run())
				.doOnCancel(leave)
				.onErrorMap((ex) -> !(ex instanceof BackendException), this::acquireFailure)
				.flatMap((ref) -> exchange(ref, params, body, stderr, mayRetry && safe, leave));
		});
	}

	private Mono<GatewayResponse> exchange(PooledRef<FastCgiConnection> ref, List<Map.Entry<String, String>> params,
			Supplier<Flux<DataBuffer>> body, StderrListener stderr, boolean mayRetry, Runnable leave) {
		FastCgiConnection connection = ref.poolable();
		Flux<FastCgiResponsePart> parts = connection
			.exchange(params, body.get().map(NettyDataBufferFactory::toByteBuf))
			.doFinally((signal) -> giveBack(ref, leave));
		// Only safe methods are sent twice: a worker that received a POST and died before answering may have
		// acted on it already.
		boolean retryable = mayRetry && connection.isReused();
		return new ResponseAssembler(this.bufferFactory, this.options.maxHeadSize(), stderr).assemble(parts)
			// Never after a timeout or a malformed answer: the backend had the request and may still run it.
			.onErrorResume(BackendException.class,
					(ex) -> (retryable && ex.connectionLost()) ? retry(params, body, stderr, ex) : Mono.error(ex));
	}

	private Mono<GatewayResponse> retry(List<Map.Entry<String, String>> params, Supplier<Flux<DataBuffer>> body,
			StderrListener stderr, BackendException ex) {
		logger.debug("Retrying on a fresh connection to " + this.name + ": " + ex.getReason());
		return attempt(params, body, stderr, false, true);
	}

	private BackendException queueFull() {
		return BackendException.queueFull("all connections to " + this.name + " busy and "
				+ this.options.queueLimit() + " requests waiting");
	}

	private Throwable acquireFailure(Throwable ex) {
		if (ex instanceof PoolAcquirePendingLimitException) {
			return queueFull();
		}
		return BackendException.unavailable("cannot connect to " + this.name + " (" + BackendException.describe(ex) + ")",
				ex);
	}

	private void giveBack(PooledRef<FastCgiConnection> ref, Runnable leave) {
		Mono<Void> done = ref.poolable().isReusable() ? ref.release() : ref.invalidate();
		// The request leaves once the pool has the connection back (and perhaps handed it to a waiting request).
		done.doFinally((signal) -> leave.run())
			.subscribe(null, (ex) -> logger.debug("Returning a connection to " + this.name + " failed", ex));
	}

	@Override
	public int queued() {
		return this.pool.metrics().pendingAcquireSize();
	}

	@Override
	public Mono<Void> dispose() {
		return this.pool.disposeLater();
	}

	/**
	 * Return the number of connections in use and waiting requests, for metrics and balancing.
	 */
	public InstrumentedPool.PoolMetrics metrics() {
		return this.pool.metrics();
	}

	/**
	 * Turns response parts into a head and a streaming body.
	 */
	private final class ResponseAssembler {

		private final NettyDataBufferFactory bufferFactory;

		private final CgiResponseHeadParser parser;

		private final StderrListener stderr;

		private boolean headSeen;

		ResponseAssembler(NettyDataBufferFactory bufferFactory, int maxHeadSize, StderrListener stderr) {
			this.bufferFactory = bufferFactory;
			this.parser = new CgiResponseHeadParser(maxHeadSize);
			this.stderr = stderr;
		}

		Mono<GatewayResponse> assemble(Flux<FastCgiResponsePart> parts) {
			// One part may give the head and the first body bytes: two elements, hence concatMapIterable.
			Flux<Object> headThenBody = parts.concatMapIterable(this::process)
				// Discards above switchOnFirst see the context of its main subscriber, not the body's: hook here.
				.doOnDiscard(ReferenceCounted.class, FastCgiConnection::releaseDiscarded)
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
			return headThenBody
				.switchOnFirst((first, flux) -> {
					if (first.hasValue() && first.get() instanceof dev.lighttpdboot.gateway.cgi.CgiResponseHead head) {
						Flux<DataBuffer> body = flux.skip(1).cast(DataBuffer.class)
							.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
						return Mono.just(new GatewayResponse(head, body));
					}
					return flux.then(Mono.empty());
				}, false)
				.cast(GatewayResponse.class)
				// singleOrEmpty waits for completion instead of cancelling: the body is still to be read.
				.singleOrEmpty()
				.switchIfEmpty(Mono.error(() -> BackendException.broken(FastCgiBackend.this.name
						+ " closed the response before its head", true, null)));
		}

		private List<Object> process(FastCgiResponsePart part) {
			if (part instanceof FastCgiStdout stdout) {
				DataBuffer buffer = this.bufferFactory.wrap(stdout.content());
				if (this.headSeen) {
					return List.of(buffer);
				}
				Optional<CgiResponseHeadParser.Parsed> parsed;
				try {
					parsed = this.parser.feed(buffer);
				}
				catch (InvalidCgiResponseException ex) {
					throw BackendException.broken("invalid response head from " + FastCgiBackend.this.name + ": "
							+ ex.getReason(), false, ex);
				}
				if (parsed.isEmpty()) {
					return List.of();
				}
				this.headSeen = true;
				DataBuffer body = parsed.get().body();
				if (body.readableByteCount() == 0) {
					DataBufferUtils.release(body);
					return List.of(parsed.get().head());
				}
				return List.of(parsed.get().head(), body);
			}
			if (part instanceof FastCgiStderr error) {
				String text = error.content().toString(StandardCharsets.UTF_8).strip();
				ReferenceCountUtil.release(error);
				if (!text.isEmpty()) {
					this.stderr.stderr(FastCgiBackend.this.name, text);
				}
				return List.of();
			}
			if (part instanceof FastCgiEndRequest end) {
				if (end.protocolStatus() != ProtocolStatus.REQUEST_COMPLETE) {
					throw BackendException.unavailable(FastCgiBackend.this.name + " refused the request: "
							+ end.protocolStatus(), null);
				}
				if (!this.headSeen) {
					throw BackendException.broken(FastCgiBackend.this.name + " ended the request without a response head",
							false, null);
				}
				return List.of();
			}
			ReferenceCountUtil.release(part);
			return List.of();
		}
	}

}
