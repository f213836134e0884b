package dev.lighttpdboot.gateway.route;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.cgi.ScriptResolver;
import dev.lighttpdboot.gateway.spool.ResponseBufferPolicy;
import org.jspecify.annotations.Nullable;

/**
 * A route to backends: which requests it takes, how it prepares them, and the pool it sends them to.
 *
 * @param name the route's name, for logs and metrics (its pool has the same name)
 * @param matcher decides which requests the route takes
 * @param scripts splits matching paths into SCRIPT_NAME and PATH_INFO below the document root; {@code null} for a
 * route whose protocol passes the request target on and needs no document root
 * @param checkLocal whether a missing script is answered 404 without contacting a backend (only with scripts)
 * @param allowXSendfile whether a backend may answer with X-Sendfile (through the same allowed roots)
 * @param maxRequestSize the largest request body accepted (413 beyond)
 * @param requestBufferInMemory how much of a request body is kept in memory before spooling to a file
 * @param pool the backends, their balancer and fail-over
 * @param responseBuffering how response bodies are kept until the client takes them
 */
public record GatewayRoute(String name, RouteMatcher matcher, @Nullable ScriptResolver scripts, boolean checkLocal,
		boolean allowXSendfile, long maxRequestSize, long requestBufferInMemory, GatewayPool pool,
		ResponseBufferPolicy responseBuffering) {

	/**
	 * Create a route of CGI scripts, matched by their resolver.
	 */
	public GatewayRoute(String name, ScriptResolver scripts, boolean checkLocal, boolean allowXSendfile,
			long maxRequestSize, long requestBufferInMemory, GatewayPool pool, ResponseBufferPolicy responseBuffering) {
		this(name, scripts, scripts, checkLocal, allowXSendfile, maxRequestSize, requestBufferInMemory, pool,
				responseBuffering);
	}

	/**
	 * Create a route of CGI scripts that buffers responses with the {@linkplain ResponseBufferPolicy#DEFAULT
	 * defaults}.
	 */
	public GatewayRoute(String name, ScriptResolver scripts, boolean checkLocal, boolean allowXSendfile,
			long maxRequestSize, long requestBufferInMemory, GatewayPool pool) {
		this(name, scripts, checkLocal, allowXSendfile, maxRequestSize, requestBufferInMemory, pool,
				ResponseBufferPolicy.DEFAULT);
	}

}
