package dev.lighttpdboot.gateway.http;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.util.AttributeKey;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;

/**
 * An HTTP/1.1 backend (puma, unicorn, a Node or Go server) over TCP or a Unix-domain socket, on Reactor Netty's
 * HTTP client with a connection pool of its own.
 * <ul>
 * <li>Kept-alive connections: at most {@code maxConnections}, then a queue of {@code queueLimit} requests that
 * wait at most {@code readTimeout} for one; idle connections are closed after {@code maxIdleTime}.</li>
 * <li>The request goes with its method and target as received and its headers as {@link HttpRequestHeaders}
 * makes them; the body from the spool, with its exact {@code Content-Length}, written as the connection takes
 * it.</li>
 * <li>The response's status and headers come as the backend sent them (the route removes the hop-by-hop ones);
 * the body streams as its consumer asks for it.</li>
 * <li>A safe request (GET, HEAD, OPTIONS) whose kept-alive connection turns out closed before any response byte
 * is sent again; any other request is answered 502 in that case, since the backend may have acted on it.</li>
 * </ul>
 */
public final class HttpBackend implements GatewayBackend {

	private static final Log logger = LogFactory.getLog(HttpBackend.class);

	/** Set on a connection once it carried a request: a later request on it is on a reused connection. */
	private static final AttributeKey<Boolean> USED = AttributeKey.valueOf("lighttpd.http.used");

	private final String name;

	private final BackendOptions options;

	private final @Nullable String host;

	private final ConnectionProvider connections;

	private final @Nullable WebSocketRelay webSockets;

	private final HttpClient client;

	private final AtomicReference<@Nullable ConnectionPoolMetrics> poolMetrics = new AtomicReference<>();

	private final NettyDataBufferFactory bufferFactory = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9292}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 * @param host the {@code Host} header sent instead of the client's, or {@code null} to keep the client's
	 */
	public HttpBackend(String name, SocketAddress address, BackendOptions options, @Nullable String host) {
		this(name, address, options, host, false);
	}

	/**
	 * Create a backend that may also take WebSocket upgrades.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9292}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 * @param host the {@code Host} header sent instead of the client's, or {@code null} to keep the client's
	 * @param webSockets whether WebSocket upgrades are passed through to it ({@link #webSockets()})
	 */
	public HttpBackend(String name, SocketAddress address, BackendOptions options, @Nullable String host,
			boolean webSockets) {
		this.webSockets = webSockets
				? new WebSocketRelay(name, address, host, options.connectTimeout(), options.readTimeout()) : null;
		this.name = name;
		this.options = options;
		this.host = host;
		this.connections = ConnectionProvider.builder("lighttpd-http-" + name)
			.maxConnections(options.maxConnections())
			.pendingAcquireMaxCount(options.queueLimit())
			.pendingAcquireTimeout(options.readTimeout())
			.maxIdleTime(options.maxIdleTime())
			// Idle connections are closed even when no request comes: each one may hold a backend thread.
			.evictInBackground(options.maxIdleTime().dividedBy(2))
			// The most recently used connection is the one least likely to have been closed by the backend.
			.lifo()
			.metrics(true, () -> new ConnectionProvider.MeterRegistrar() {

				@Override
				public void registerMetrics(String poolName, String id, SocketAddress remoteAddress,
						ConnectionPoolMetrics metrics) {
					HttpBackend.this.poolMetrics.set(metrics);
				}

			})
			.build();
		this.client = HttpClient.create(this.connections)
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, options.connectTimeout().toMillis()))
			.responseTimeout(options.readTimeout())
			.httpResponseDecoder((spec) -> spec.maxHeaderSize(options.maxHeadSize())
				.maxInitialLineLength(Math.min(options.maxHeadSize(), 8192)))
			// The gateway decides what may be sent twice (see exchange).
			.disableRetry(true);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		// Each kept-alive connection the backend closed while idle costs one attempt; a fresh connection ends it.
		return attempt(request, this.options.maxConnections() + 1);
	}

	private Mono<GatewayResponse> attempt(GatewayRequest request, int attemptsLeft) {
		return Mono.defer(() -> {
			AtomicBoolean reused = new AtomicBoolean();
			AtomicBoolean headSeen = new AtomicBoolean();
			return this.client.request(io.netty.handler.codec.http.HttpMethod.valueOf(request.method().name()))
				.uri(request.rawTarget())
				.send((outgoing, outbound) -> send(request, outgoing, outbound, reused))
				.responseConnection((response, connection) -> {
					headSeen.set(true);
					return Mono.just(respond(response, connection));
				})
				.next()
				.onErrorMap((ex) -> HttpBackendFailures.map(this.name, ex, headSeen.get(), this.options.queueLimit()))
				.onErrorResume(BackendException.class, (ex) -> {
					if (ex.connectionLost() && reused.get() && request.safeMethod() && attemptsLeft > 1) {
						if (logger.isDebugEnabled()) {
							logger.debug("Sending " + request.method() + " again to " + this.name + ": "
									+ ex.getReason());
						}
						return attempt(request, attemptsLeft - 1);
					}
					return Mono.error(ex);
				});
		});
	}

	private NettyOutbound send(GatewayRequest request, HttpClientRequest outgoing, NettyOutbound outbound,
			AtomicBoolean reused) {
		if (outbound instanceof Connection connection) {
			reused.set(connection.channel().attr(USED).getAndSet(Boolean.TRUE) != null);
		}
		io.netty.handler.codec.http.HttpHeaders headers = outgoing.requestHeaders();
		// Reactor Netty's own defaults (its Host, User-Agent, Accept) are not the client's.
		headers.clear();
		long length = request.body().length();
		boolean framed = length > 0 || request.headers().getContentLength() >= 0
				|| request.headers().containsHeader(HttpHeaders.TRANSFER_ENCODING)
				|| HttpMethod.POST.equals(request.method()) || HttpMethod.PUT.equals(request.method())
				|| HttpMethod.PATCH.equals(request.method());
		HttpRequestHeaders.write(request, this.host, framed ? length : -1, headers::add);
		if (length == 0) {
			return outbound;
		}
		Flux<DataBuffer> body = request.body().content(this.bufferFactory);
		return outbound.send(body.map(NettyDataBufferFactory::toByteBuf));
	}

	private GatewayResponse respond(HttpClientResponse response, Connection connection) {
		HttpHeaders headers = new HttpHeaders();
		response.responseHeaders().forEach((field) -> headers.add(field.getKey(), field.getValue()));
		CgiResponseHead head = new CgiResponseHead(HttpStatusCode.valueOf(response.status().code()), headers);
		Flux<DataBuffer> body = connection.inbound()
			.receive()
			.retain()
			.map((bytes) -> (DataBuffer) this.bufferFactory.wrap(bytes))
			.onErrorMap((ex) -> HttpBackendFailures.map(this.name, ex, true, this.options.queueLimit()))
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
		return new GatewayResponse(head, body);
	}

	/**
	 * Return what passes WebSocket upgrades through to this backend, or {@code null} if they are not (the
	 * {@code Upgrade} header is then removed like any hop-by-hop header).
	 */
	public @Nullable WebSocketRelay webSockets() {
		return this.webSockets;
	}

	@Override
	public int queued() {
		ConnectionPoolMetrics metrics = this.poolMetrics.get();
		return (metrics != null) ? metrics.pendingAcquireSize() : 0;
	}

	/**
	 * Return the connections open to the backend now, in use or idle.
	 */
	public int openConnections() {
		ConnectionPoolMetrics metrics = this.poolMetrics.get();
		return (metrics != null) ? metrics.allocatedSize() : 0;
	}

	@Override
	public Mono<Void> dispose() {
		return this.connections.disposeLater();
	}

}
