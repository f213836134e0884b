package dev.lighttpdboot.gateway.scgi;

import java.net.SocketAddress;

import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayProtocol;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;

/**
 * SCGI ({@code protocol: scgi}): a CGI environment in a netstring, a connection per request, a CGI response; for
 * Python applications behind uwsgi's {@code --scgi-socket}.
 */
public final class ScgiProtocol implements GatewayProtocol {

	/** The name routes use. */
	public static final String NAME = "scgi";

	private final CgiEnvironment environment;

	/**
	 * Create the protocol.
	 * @param environment builds the CGI environment of each request
	 */
	public ScgiProtocol(CgiEnvironment environment) {
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
		return new ScgiBackend(name, address, options, this.environment);
	}

}
