package dev.lighttpdboot.gateway;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

import reactor.core.publisher.Flux;

/**
 * The gateway's backend pools, one per route and named as the route. A pool is a {@code ClientHttpConnector}, so
 * applications can call a route's backends with a {@code WebClient}, balanced and with fail-over:
 * <pre>
 * WebClient php = WebClient.builder().clientConnector(pools.get("php")).build();
 * </pre>
 */
public final class GatewayPools {

	private final List<GatewayPool> pools;

	public GatewayPools(List<GatewayPool> pools) {
		this.pools = List.copyOf(pools);
	}

	/**
	 * Return every pool, in the order of their routes.
	 */
	public List<GatewayPool> all() {
		return this.pools;
	}

	/**
	 * Return a pool by name.
	 * @throws NoSuchElementException if there is none
	 */
	public GatewayPool get(String name) {
		return this.pools.stream().filter((pool) -> pool.name().equals(name)).findFirst()
			.orElseThrow(() -> new NoSuchElementException("no gateway pool named '" + name + "'"));
	}

	/**
	 * Close every backend connection; called when the application stops.
	 */
	public void dispose() {
		Flux.fromIterable(this.pools).flatMap(GatewayPool::dispose).then().block(Duration.ofSeconds(10));
	}

}
