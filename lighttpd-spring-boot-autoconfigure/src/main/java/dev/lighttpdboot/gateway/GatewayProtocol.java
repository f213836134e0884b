package dev.lighttpdboot.gateway;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * A protocol a route can speak to its backends, chosen by the route's {@code protocol} property: it makes the
 * backends, which turn a {@link GatewayRequest} into the protocol's bytes and the backend's bytes into a
 * {@link GatewayResponse}. Everything above it (route matching, body spooling, pools, balancing, fail-over,
 * X-Sendfile, response buffering, spawning) is the same for every protocol, as in lighttpd's {@code gw_backend}
 * beneath mod_fastcgi, mod_scgi and mod_proxy.
 * <p>An application may add its own: a bean of this type whose {@link #name()} a route names.
 */
public interface GatewayProtocol {

	/**
	 * Return the name a route's {@code protocol} property uses, in lower case: {@code fastcgi}, {@code scgi},
	 * {@code ajp13}.
	 */
	String name();

	/**
	 * Whether requests reach the backend as a CGI environment, so that a route needs a document root to split its
	 * paths into SCRIPT_NAME and PATH_INFO. Protocols that pass the request target on (HTTP, AJP13) need none.
	 */
	boolean cgi();

	/**
	 * Make a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 * @return the backend; it opens no connection before its first request
	 */
	GatewayBackend backend(String name, SocketAddress address, BackendOptions options);

	/**
	 * Make the probe that checks a backend between requests (a disabled one before it takes requests again): a
	 * connect unless the protocol has a ping of its own (AJP13's CPING).
	 * @param address where the backend listens
	 * @param timeout how long a connect may take
	 * @return the probe
	 */
	default BackendProbe probe(SocketAddress address, Duration timeout) {
		return new ConnectProbe(address, timeout);
	}

}
