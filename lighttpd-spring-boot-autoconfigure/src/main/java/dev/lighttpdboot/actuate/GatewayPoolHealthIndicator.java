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
 * The health of one gateway pool, from what the pool already knows (no request is sent to a backend):
 * <ul>
 * <li>UP when every backend takes requests;</li>
 * <li>UP with {@code degraded: true} when some do not (disabled, probing, or their process stopped) but one
 * does: the pool still answers, a load balancer in front should keep sending traffic;</li>
 * <li>DOWN when no backend is usable: every request gets 503.</li>
 * </ul>
 * The details list each backend's state.
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
		Map<String, String> backends = new LinkedHashMap<>();
		int active = 0;
		for (PoolBackend backend : this.pool.backends()) {
			backends.put(backend.name(), backend.state().name().toLowerCase(Locale.ROOT));
			if (backend.state() == PoolBackend.State.ACTIVE) {
				active++;
			}
		}
		Health.Builder health = this.pool.hasUsableBackend() ? Health.up() : Health.down();
		health.withDetail("backends", backends).withDetail("active", active);
		if (active < this.pool.backends().size()) {
			health.withDetail("degraded", true);
		}
		return health.build();
	}

}
