package dev.lighttpdboot.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code lighttpd} actuator endpoint: the state of every gateway pool and backend, as lighttpd's
 * {@code mod_status} shows its backends. {@code /actuator/lighttpd} lists every pool;
 * {@code /actuator/lighttpd/{pool}} one of them.
 */
@Endpoint(id = "lighttpd")
public class LighttpdEndpoint {

	private final GatewayPools pools;

	public LighttpdEndpoint(GatewayPools pools) {
		this.pools = pools;
	}

	/**
	 * Return every pool.
	 */
	@ReadOperation
	public LighttpdDescriptor lighttpd() {
		Map<String, PoolDescriptor> pools = new LinkedHashMap<>();
		for (GatewayPool pool : this.pools.all()) {
			pools.put(pool.name(), describe(pool));
		}
		return new LighttpdDescriptor(pools);
	}

	/**
	 * Return one pool, or {@code null} (404) if there is none of that name.
	 */
	@ReadOperation
	public PoolDescriptor pool(@Selector String name) {
		return this.pools.all().stream().filter((pool) -> pool.name().equals(name)).findFirst().map(this::describe)
			.orElse(null);
	}

	private PoolDescriptor describe(GatewayPool pool) {
		List<BackendDescriptor> backends = pool.backends().stream()
			.map((backend) -> new BackendDescriptor(backend.name(), backend.weight(),
					backend.state().name().toLowerCase(java.util.Locale.ROOT), backend.disabledFor().toMillis(),
					backend.load(), backend.queued(), backend.requests(), backend.failures(), backend.disables(),
					backend.lastFailure()))
			.toList();
		return new PoolDescriptor(pool.hasUsableBackend(), backends);
	}

	/**
	 * What the endpoint shows.
	 * @param pools the pools by name
	 */
	public record LighttpdDescriptor(Map<String, PoolDescriptor> pools) {
	}

	/**
	 * One pool.
	 * @param usable whether a backend takes requests (or may be probed)
	 * @param backends its backends in configured order
	 */
	public record PoolDescriptor(boolean usable, List<BackendDescriptor> backends) {
	}

	/**
	 * One backend.
	 * @param address where it listens
	 * @param weight its share
	 * @param state active, disabled, probing or stopped
	 * @param disabledForMillis how long it still rests, 0 unless disabled
	 * @param inFlight requests sent and not finished
	 * @param queued requests waiting for a connection
	 * @param requests requests sent so far
	 * @param failures requests it refused or failed
	 * @param disables times it was disabled
	 * @param lastFailure why it last failed, or {@code null}
	 */
	public record BackendDescriptor(String address, int weight, String state, long disabledForMillis, int inFlight,
			int queued, long requests, long failures, long disables, String lastFailure) {
	}

}
