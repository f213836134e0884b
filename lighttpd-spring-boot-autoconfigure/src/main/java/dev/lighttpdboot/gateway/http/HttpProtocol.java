package dev.lighttpdboot.gateway.http;

import java.net.SocketAddress;

import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayProtocol;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 ({@code protocol: http}), as lighttpd's mod_proxy and nginx's {@code proxy_pass}: the request goes on
 * with its method, target and headers over kept-alive connections, for Ruby (puma), Node or Go applications. A
 * route of this protocol needs no document root.
 */
public final class HttpProtocol implements GatewayProtocol {

	/** The name routes use. */
	public static final String NAME = "http";

	private final @Nullable String host;

	private final boolean webSockets;

	/**
	 * Create the protocol, sending each client's own {@code Host} and passing WebSocket upgrades through.
	 */
	public HttpProtocol() {
		this(null, true);
	}

	private HttpProtocol(@Nullable String host, boolean webSockets) {
		this.host = host;
		this.webSockets = webSockets;
	}

	/**
	 * Return the protocol for a route that sends its backends another {@code Host} than the client's (a route's
	 * {@code http.host}, as nginx's {@code proxy_set_header Host}).
	 * @param host the value, or {@code null} to keep the client's
	 */
	public HttpProtocol withHost(@Nullable String host) {
		return new HttpProtocol((host != null && !host.isBlank()) ? host.trim() : null, this.webSockets);
	}

	/**
	 * Return the protocol for a route that passes WebSocket upgrades through, or not (a route's
	 * {@code http.websocket}).
	 * @param webSockets whether upgrades go to the backends; without, {@code Upgrade} is removed as hop-by-hop
	 */
	public HttpProtocol withWebSockets(boolean webSockets) {
		return new HttpProtocol(this.host, webSockets);
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean cgi() {
		return false;
	}

	@Override
	public GatewayBackend backend(String name, SocketAddress address, BackendOptions options) {
		return new HttpBackend(name, address, options, this.host, this.webSockets);
	}

}
