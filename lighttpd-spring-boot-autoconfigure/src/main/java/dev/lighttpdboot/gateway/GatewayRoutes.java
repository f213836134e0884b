package dev.lighttpdboot.gateway;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

import reactor.core.publisher.Flux;

/**
 * The configured gateway routes, and a way for applications to reach a route's backend directly (for a
 * {@code WebClient} through {@code FastCgiClientHttpConnector}).
 */
public final class GatewayRoutes {

	private final List<GatewayRoute> routes;

	public GatewayRoutes(List<GatewayRoute> routes) {
		this.routes = List.copyOf(routes);
	}

	/**
	 * Return the routes, in the order they are tried.
	 */
	public List<GatewayRoute> routes() {
		return this.routes;
	}

	/**
	 * Return a route by name.
	 * @throws NoSuchElementException if there is none
	 */
	public GatewayRoute route(String name) {
		return this.routes.stream().filter((route) -> route.name().equals(name)).findFirst()
			.orElseThrow(() -> new NoSuchElementException("no gateway route named '" + name + "'"));
	}

	/**
	 * Close every backend connection; called when the application stops.
	 */
	public void dispose() {
		Flux.fromIterable(this.routes)
			.flatMapIterable(GatewayRoute::backends)
			.flatMap(GatewayBackend::dispose)
			.then()
			.block(Duration.ofSeconds(10));
	}

}
