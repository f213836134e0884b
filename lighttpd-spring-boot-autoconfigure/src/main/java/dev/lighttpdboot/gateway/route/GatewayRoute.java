package dev.lighttpdboot.gateway.route;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.cgi.ScriptResolver;
import dev.lighttpdboot.gateway.spool.ResponseBufferPolicy;

/**
 * A route to backends: which requests it takes, how it prepares them, and the pool it sends them to.
 *
 * @param name the route's name, for logs and metrics (its pool has the same name)
 * @param scripts matches requests and splits their path into SCRIPT_NAME and PATH_INFO below the document root
 * @param checkLocal whether a missing script is answered 404 without contacting a backend
 * @param allowXSendfile whether a backend may answer with X-Sendfile (through the same allowed roots)
 * @param maxRequestSize the largest request body accepted (413 beyond)
 * @param requestBufferInMemory how much of a request body is kept in memory before spooling to a file
 * @param pool the backends, their balancer and fail-over
 * @param responseBuffering how response bodies are kept until the client takes them
 */
public record GatewayRoute(String name, ScriptResolver scripts, boolean checkLocal, boolean allowXSendfile,
		long maxRequestSize, long requestBufferInMemory, GatewayPool pool, ResponseBufferPolicy responseBuffering) {

	/**
	 * Create a route that buffers responses with the {@linkplain ResponseBufferPolicy#DEFAULT defaults}.
	 */
	public GatewayRoute(String name, ScriptResolver scripts, boolean checkLocal, boolean allowXSendfile,
			long maxRequestSize, long requestBufferInMemory, GatewayPool pool) {
		this(name, scripts, checkLocal, allowXSendfile, maxRequestSize, requestBufferInMemory, pool,
				ResponseBufferPolicy.DEFAULT);
	}

}
