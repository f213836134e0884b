package dev.lighttpdboot.gateway.ajp13;

import java.net.SocketAddress;
import java.time.Duration;

import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.BackendProbe;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayProtocol;

/**
 * AJP13 ({@code protocol: ajp13}): forward requests to Tomcat's AJP connector (or any AJP13 container) over
 * kept-alive connections; no document root, the request target goes on as received; CPING/CPONG probes.
 */
public final class Ajp13Protocol implements GatewayProtocol {

	/** The name routes use. */
	public static final String NAME = "ajp13";

	private final Ajp13Settings settings;

	/**
	 * Create the protocol with the default settings: no secret, packets of 8 KiB.
	 */
	public Ajp13Protocol() {
		this(Ajp13Settings.DEFAULTS);
	}

	/**
	 * Create the protocol.
	 * @param settings the secret and packet size of the route's backends
	 */
	public Ajp13Protocol(Ajp13Settings settings) {
		this.settings = settings;
	}

	/**
	 * Return the protocol with other settings, for one route.
	 */
	public Ajp13Protocol withSettings(Ajp13Settings settings) {
		return new Ajp13Protocol(settings);
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
		return new Ajp13Backend(name, address, options, this.settings);
	}

	@Override
	public BackendProbe probe(SocketAddress address, Duration timeout) {
		return new Ajp13Probe(address, timeout);
	}

}
