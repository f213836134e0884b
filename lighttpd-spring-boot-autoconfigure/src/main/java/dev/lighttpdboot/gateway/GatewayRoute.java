package dev.lighttpdboot.gateway;

import java.util.List;

/**
 * A route to backends: which requests it takes, how it prepares them, and where it sends them.
 *
 * @param name the route's name, for logs and metrics
 * @param scripts matches requests and splits their path into SCRIPT_NAME and PATH_INFO below the document root
 * @param checkLocal whether a missing script is answered 404 without contacting a backend
 * @param allowXSendfile whether a backend may answer with X-Sendfile (through the same allowed roots)
 * @param maxRequestSize the largest request body accepted (413 beyond)
 * @param requestBufferInMemory how much of a request body is kept in memory before spooling to a file
 * @param backends the backends; this version sends every request to the first
 */
public record GatewayRoute(String name, ScriptResolver scripts, boolean checkLocal, boolean allowXSendfile,
		long maxRequestSize, long requestBufferInMemory, List<GatewayBackend> backends) {

	public GatewayRoute {
		if (backends.isEmpty()) {
			throw new IllegalArgumentException("route '" + name + "' has no backend");
		}
		backends = List.copyOf(backends);
	}

	/**
	 * Return the backend for the next request.
	 */
	public GatewayBackend backend() {
		return this.backends.get(0);
	}

}
