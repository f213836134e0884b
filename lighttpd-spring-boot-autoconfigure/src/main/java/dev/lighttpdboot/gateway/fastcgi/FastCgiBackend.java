package dev.lighttpdboot.gateway.fastcgi;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.gateway.cgi.InvalidCgiResponseException;
import dev.lighttpdboot.gateway.connection.ConnectionEngine;
import dev.lighttpdboot.gateway.connection.PooledBackend;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * A FastCGI backend (a php-fpm pool, a uwsgi socket) reached over TCP or a Unix-domain socket, with its own pool
 * of keep-alive connections (the shared {@link ConnectionEngine}).
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
public final class FastCgiBackend extends PooledBackend<FastCgiConnection> {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private final FastCgiBackendOptions options;

	private final CgiEnvironment environment;

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
		super(name, engine(name, address, options));
		this.environment = environment;
		this.options = options;
	}

	private static ConnectionEngine<FastCgiConnection> engine(String name, SocketAddress address,
			FastCgiBackendOptions options) {
		// A connection opens on the event loop of the request that needs it (the server's own, for a request of
		// the gateway route), so that request and response never change threads.
		BackendOptions limits = new BackendOptions(options.maxConnections(), options.queueLimit(),
				options.connectTimeout(), options.readTimeout(), options.maxIdleTime(), options.maxHeadSize());
		return new ConnectionEngine<>(name, ConnectionEngine.connector(address, limits,
				(connection) -> new FastCgiConnection(connection, options.readTimeout())), limits);
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
			return engine().exchange((listener) -> new FastCgiExchange(name(), params,
					request.body().content(BUFFERS), stderr, this.options.maxHeadSize(), listener), isSafe(params));
		});
	}

	private static boolean isSafe(List<Map.Entry<String, String>> params) {
		// Only safe methods are sent twice: a worker that received a POST and died before answering may have
		// acted on it already.
		for (Map.Entry<String, String> param : params) {
			if (param.getKey().equals("REQUEST_METHOD")) {
				return switch (param.getValue()) {
					case "GET", "HEAD", "OPTIONS" -> true;
					default -> false;
				};
			}
		}
		return false;
	}

}
