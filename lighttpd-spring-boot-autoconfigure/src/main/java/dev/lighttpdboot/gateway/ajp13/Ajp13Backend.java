package dev.lighttpdboot.gateway.ajp13;

import java.net.SocketAddress;

import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.connection.ConnectionEngine;
import dev.lighttpdboot.gateway.connection.PooledBackend;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * An AJP13 backend (Tomcat's AJP connector) over TCP, with kept-alive connections in the shared
 * {@link ConnectionEngine}: the same limits, queue, idle eviction, failure kinds and safe-method retry as FastCGI.
 * A request whose head does not fit one packet is answered 431 before any connection is taken.
 */
public final class Ajp13Backend extends PooledBackend<Ajp13Connection> {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private final Ajp13Settings settings;

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:8009}
	 * @param address where it listens
	 * @param options connection limits and timeouts
	 * @param settings the secret and the packet size
	 */
	public Ajp13Backend(String name, SocketAddress address, BackendOptions options, Ajp13Settings settings) {
		super(name, new ConnectionEngine<>(name, ConnectionEngine.connector(address, options,
				(connection) -> new Ajp13Connection(connection, options.readTimeout(), settings.packetSize())),
				options));
		this.settings = settings;
	}

	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		return Mono.defer(() -> {
			byte[] forwardRequest = Ajp13ForwardRequest.encode(request, this.settings);
			return engine().exchange((listener) -> new Ajp13Exchange(name(), forwardRequest,
					request.body().content(BUFFERS), request.body().length(), this.settings.maxBodyChunk(), listener),
					request.safeMethod());
		});
	}

}
