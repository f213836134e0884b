package dev.lighttpdboot.gateway.scgi;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import dev.lighttpdboot.gateway.cgi.CgiResponseHeadParser;
import dev.lighttpdboot.gateway.cgi.InvalidCgiResponseException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
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
 * An SCGI backend (uwsgi's {@code --scgi-socket}, Python's {@code scgi} package) over TCP or a Unix-domain socket.
 * <ul>
 * <li>One connection per request, as the protocol says: the backend's close ends the response.</li>
 * <li>At most {@code maxConnections} requests at once; beyond, a queue of {@code queueLimit}; beyond that, 503 at
 * once ({@link BackendException#queueFull()}: this server's limit, not a fault of the backend).</li>
 * <li>The response is a CGI response ({@code Status:}, else {@code Location} gives 302, else 200; an NPH status
 * line is accepted too), its body streamed as the consumer asks for it.</li>
 * <li>Connect failures: 503 (the pool tries another backend); silence longer than the read timeout: 504; a
 * close before the head or a malformed head: 502. Nothing is retried on the same backend: a fresh connection
 * that failed says nothing a second one would not.</li>
 * </ul>
 */
public final class ScgiBackend implements GatewayBackend {

	private static final Log logger = LogFactory.getLog(ScgiBackend.class);

	private final String name;

	private final BackendOptions options;

	private final CgiEnvironment environment;

	private final InstrumentedPool<ScgiConnection> pool;

	/**
	 * Requests holding or waiting for a connection, checked before the pool is asked so that the overflow of a
	 * burst is refused on the caller's thread, not inside the pool's drain loop on an event loop.
	 */
	private final AtomicInteger admitted = new AtomicInteger();

	private final NettyDataBufferFactory bufferFactory = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts ({@code maxIdleTime} does not apply: no connection idles)
	 * @param environment builds the CGI environment of each request
	 */
	public ScgiBackend(String name, SocketAddress address, BackendOptions options, CgiEnvironment environment) {
		this.name = name;
		this.options = options;
		this.environment = environment;
		TcpClient client = TcpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis());
		Mono<ScgiConnection> connect = client.connect()
			.map((connection) -> new ScgiConnection(connection, options.readTimeout()));
		// The pool only counts and queues: every connection is invalidated after its one request.
		this.pool = PoolBuilder.from(connect)
			.sizeBetween(0, options.maxConnections())
			.maxPendingAcquire(options.queueLimit())
			.destroyHandler((connection) -> Mono.fromRunnable(connection::close))
			.buildPool();
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		return Mono.defer(() -> {
			if (this.admitted.incrementAndGet() > this.options.maxConnections() + this.options.queueLimit()) {
				this.admitted.decrementAndGet();
				return Mono.error(queueFull());
			}
			AtomicBoolean left = new AtomicBoolean();
			Runnable leave = () -> {
				if (left.compareAndSet(false, true)) {
					this.admitted.decrementAndGet();
				}
			};
			List<Map.Entry<String, String>> params = this.environment.build(request);
			return this.pool.acquire()
				.doOnError((ex) -> leave.run())
				.doOnCancel(leave)
				.onErrorMap((ex) -> !(ex instanceof BackendException), this::acquireFailure)
				.flatMap((ref) -> exchange(ref, params, request, leave));
		});
	}

	private Mono<GatewayResponse> exchange(PooledRef<ScgiConnection> ref, List<Map.Entry<String, String>> params,
			GatewayRequest request, Runnable leave) {
		ByteBuf header = ScgiRequestHeader.encode(params, ByteBufAllocator.DEFAULT);
		Flux<ByteBuf> body = request.body().content(this.bufferFactory).map(NettyDataBufferFactory::toByteBuf);
		Flux<ByteBuf> response = ref.poolable().exchange(header, body)
			.doFinally((signal) -> ref.invalidate().doFinally((done) -> leave.run())
				.subscribe(null, (ex) -> logger.debug("Closing a connection to " + this.name + " failed", ex)));
		return assemble(response);
	}

	private Mono<GatewayResponse> assemble(Flux<ByteBuf> response) {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(this.options.maxHeadSize());
		AtomicBoolean headSeen = new AtomicBoolean();
		// One read may give the head and the first body bytes: two elements, hence concatMapIterable.
		Flux<Object> headThenBody = response.concatMapIterable((bytes) -> {
			DataBuffer buffer = this.bufferFactory.wrap(bytes);
			if (headSeen.get()) {
				return List.of(buffer);
			}
			Optional<CgiResponseHeadParser.Parsed> parsed;
			try {
				parsed = parser.feed(buffer);
			}
			catch (InvalidCgiResponseException ex) {
				throw BackendException.broken("invalid response head from " + this.name + ": " + ex.getReason(), false,
						ex);
			}
			if (parsed.isEmpty()) {
				return List.<Object>of();
			}
			headSeen.set(true);
			DataBuffer rest = parsed.get().body();
			if (rest.readableByteCount() == 0) {
				DataBufferUtils.release(rest);
				return List.<Object>of(parsed.get().head());
			}
			return List.<Object>of(parsed.get().head(), rest);
		})
			.doOnDiscard(ReferenceCounted.class, ScgiConnection::releaseDiscarded)
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
		return headThenBody.switchOnFirst((first, flux) -> {
			if (first.hasValue() && first.get() instanceof CgiResponseHead head) {
				Flux<DataBuffer> body = flux.skip(1).cast(DataBuffer.class)
					.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
				return Mono.just(new GatewayResponse(head, body));
			}
			return flux.then(Mono.empty());
		}, false)
			.cast(GatewayResponse.class)
			// singleOrEmpty waits for completion instead of cancelling: the body is still to be read.
			.singleOrEmpty()
			.switchIfEmpty(Mono.error(() -> BackendException.broken(this.name + " closed the response before its head",
					false, null)));
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

	@Override
	public int queued() {
		return this.pool.metrics().pendingAcquireSize();
	}

	@Override
	public Mono<Void> dispose() {
		return this.pool.disposeLater();
	}

}
