package dev.lighttpdboot.gateway.autoconfigure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

import dev.lighttpdboot.gateway.BackendAddress;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Warns at start-up about a backend whose host name does not resolve: the server still starts (the name may resolve
 * later, as a container's peer comes up), but a typo no longer hides until the first request fails.
 */
final class BackendHosts {

	private static final Log logger = LogFactory.getLog(BackendHosts.class);

	private BackendHosts() {
	}

	static void warnIfUnresolvable(String property, String address) {
		SocketAddress parsed = BackendAddress.parse(address);
		if (!(parsed instanceof InetSocketAddress inet) || !inet.isUnresolved()) {
			return;
		}
		try {
			// At start-up, on the main thread: never on an event loop.
			InetAddress.getByName(inet.getHostString());
		}
		catch (UnknownHostException ex) {
			logger.warn("The host of backend " + address + " (" + property + ") does not resolve; requests to it "
					+ "fail over to the route's other backends, or get 503, until it does");
		}
	}

}
