package dev.lighttpdboot.server;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells whether a request is served by the application context a handler mapping or filter of this project was
 * defined in. WebFlux looks for handler mappings and filters in the ancestors of its context too, so Spring Boot's
 * management child context (a separate {@code management.server.port}) would otherwise serve the document root,
 * gateway routes, signed links and the rest of the application's content on the actuator's port.
 */
public final class ServingContext {

	private ServingContext() {
	}

	/**
	 * Whether {@code exchange} is served by another context than {@code own}, such as the management child
	 * context: a handler mapping then finds no handler and a filter passes the request on untouched.
	 * @param exchange the request
	 * @param own the context the mapping or filter belongs to, or {@code null} if it was built outside one
	 * @return whether the request is another context's
	 */
	public static boolean isOther(ServerWebExchange exchange, @Nullable ApplicationContext own) {
		ApplicationContext serving = exchange.getApplicationContext();
		return own != null && serving != null && serving != own;
	}

}
