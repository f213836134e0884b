package dev.lighttpdboot.gateway.ajp13;

import java.net.SocketAddress;

import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.connection.ConnectionEngine;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Mono;
import reactor.pool.InstrumentedPool;

import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * An AJP13 backend (Tomcat's AJP connector) over TCP, with kept-alive connections in the shared
 * {@link ConnectionEngine}: the same limits, queue, idle eviction, failure kinds and safe-method retry as FastCGI.
 * A request whose head does not fit one packet is answered 431 before any connection is taken.
 */
public final class Ajp13Backend implements GatewayBackend {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private final String name;

	private final Ajp13Settings settings;

	private final ConnectionEngine<Ajp13Connection> engine;

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:8009}
	 * @param address where it listens
	 * @param options connection limits and timeouts
	 * @param settings the secret and the packet size
	 */
	public Ajp13Backend(String name, SocketAddress address, BackendOptions options, Ajp13Settings settings) {
		this.name = name;
		this.settings = settings;
		this.engine = new ConnectionEngine<>(name, ConnectionEngine.connector(address, options,
				(connection) -> new Ajp13Connection(connection, options.readTimeout(), settings.packetSize())),
				options);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		return Mono.defer(() -> {
			byte[] forwardRequest = Ajp13ForwardRequest.encode(request, this.settings);
			return this.engine.exchange((listener) -> new Ajp13Exchange(this.name, forwardRequest,
					request.body().content(BUFFERS), request.body().length(), this.settings.maxBodyChunk(), listener),
					request.safeMethod());
		});
	}

	@Override
	public int queued() {
		return this.engine.queued();
	}

	@Override
	public Mono<Void> dispose() {
		return this.engine.dispose();
	}

	/**
	 * Return the number of connections in use and waiting requests, for metrics and balancing.
	 */
	public InstrumentedPool.PoolMetrics metrics() {
		return this.engine.metrics();
	}

}
