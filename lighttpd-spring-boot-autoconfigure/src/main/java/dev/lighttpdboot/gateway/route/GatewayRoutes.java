package dev.lighttpdboot.gateway.route;

import java.util.List;
import java.util.NoSuchElementException;

import dev.lighttpdboot.gateway.GatewayPools;

/**
 * The configured gateway routes, in the order they are tried; their pools are also in {@link GatewayPools}.
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

}
