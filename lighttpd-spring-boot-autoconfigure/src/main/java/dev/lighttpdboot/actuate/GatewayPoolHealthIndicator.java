package dev.lighttpdboot.actuate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.PoolBackend;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * The health of one gateway pool, from what the pool already knows (no request is sent to a backend for it; the
 * pool's {@link dev.lighttpdboot.gateway.BackendProber} keeps that knowledge fresh without traffic):
 * <ul>
 * <li>UP when every backend takes requests;</li>
 * <li>UP with {@code degraded: true} when some do not (disabled, probing, their process stopped, or held by an
 * operator) but one does: the pool still answers, a load balancer in front should keep sending traffic;</li>
 * <li>DOWN when no backend takes requests: a backend whose disable-time has passed counts again only once a probe
 * or a request it answered says it is back.</li>
 * </ul>
 * The details list each backend under its id, as metrics and the {@code lighttpd} endpoint name it
 * ({@code php-0}; its address changes with each start of a spawned process, the id does not): its state
 * ({@code active (drain)} for a held one) and its address.
 */
public final class GatewayPoolHealthIndicator implements ReactiveHealthIndicator {

	private final GatewayPool pool;

	public GatewayPoolHealthIndicator(GatewayPool pool) {
		this.pool = pool;
	}

	@Override
	public Mono<Health> health() {
		return Mono.fromSupplier(this::check);
	}

	private Health check() {
		Map<String, Map<String, String>> backends = new LinkedHashMap<>();
		int active = 0;
		for (PoolBackend backend : this.pool.backends()) {
			backends.put(backend.id(), details(backend));
			if (backend.isServing()) {
				active++;
			}
		}
		Health.Builder health = this.pool.hasServingBackend() ? Health.up() : Health.down();
		health.withDetail("backends", backends).withDetail("active", active);
		if (active < this.pool.backends().size()) {
			health.withDetail("degraded", true);
		}
		return health.build();
	}

	static Map<String, String> details(PoolBackend backend) {
		Map<String, String> details = new LinkedHashMap<>();
		details.put("state", describe(backend));
		details.put("address", backend.name());
		return details;
	}

	static String describe(PoolBackend backend) {
		String state = backend.state().name().toLowerCase(Locale.ROOT);
		PoolBackend.Hold hold = backend.hold();
		return (hold == PoolBackend.Hold.NONE) ? state : state + " (" + hold.name().toLowerCase(Locale.ROOT) + ")";
	}

}
