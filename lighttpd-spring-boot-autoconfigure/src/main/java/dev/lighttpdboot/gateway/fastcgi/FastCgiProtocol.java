package dev.lighttpdboot.gateway.fastcgi;

import java.net.SocketAddress;

import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayProtocol;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;

/**
 * FastCGI ({@code protocol: fastcgi}): the RESPONDER role over kept-alive connections, for php-fpm, php-cgi and
 * uwsgi's FastCGI socket.
 */
public final class FastCgiProtocol implements GatewayProtocol {

	/** The name routes use. */
	public static final String NAME = "fastcgi";

	private final CgiEnvironment environment;

	/**
	 * Create the protocol.
	 * @param environment builds the CGI environment of each request
	 */
	public FastCgiProtocol(CgiEnvironment environment) {
		this.environment = environment;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean cgi() {
		return true;
	}

	@Override
	public GatewayBackend backend(String name, SocketAddress address, BackendOptions options) {
		return new FastCgiBackend(name, address, new FastCgiBackendOptions(options.maxConnections(),
				options.queueLimit(), options.connectTimeout(), options.readTimeout(), options.maxIdleTime(),
				options.maxHeadSize()), this.environment);
	}

}
