package dev.lighttpdboot.actuate;

import java.util.List;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.PoolBackend;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Per-backend meters of the gateway pools, tagged {@code pool} and {@code backend} (the backend's id,
 * {@code php-0}: stable across restarts of a spawned process, whose address changes), read from the pools when
 * scraped:
 * <ul>
 * <li>{@code lighttpd.gateway.backend.inflight}: requests sent and not finished, those waiting for a connection
 * included;</li>
 * <li>{@code lighttpd.gateway.backend.queued}: requests waiting for a connection;</li>
 * <li>{@code lighttpd.gateway.backend.state}: 1 while the backend takes requests, 0 while disabled, probing,
 * stopped or held by an operator;</li>
 * <li>{@code lighttpd.gateway.backend.requests}, {@code .failures}, {@code .disables}: counters.</li>
 * </ul>
 */
public final class GatewayPoolMeters extends OnceBoundMeters {

	private final List<GatewayPool> pools;

	public GatewayPoolMeters(List<GatewayPool> pools) {
		this.pools = List.copyOf(pools);
	}

	@Override
	protected void register(MeterRegistry registry) {
		for (GatewayPool pool : this.pools) {
			for (PoolBackend backend : pool.backends()) {
				Tags tags = Tags.of("pool", pool.name(), "protocol", pool.protocol(), "backend", backend.id());
				Gauge.builder("lighttpd.gateway.backend.inflight", backend, PoolBackend::load).tags(tags)
					.description("Requests sent to the backend and not finished").register(registry);
				Gauge.builder("lighttpd.gateway.backend.queued", backend, PoolBackend::queued).tags(tags)
					.description("Requests waiting for a connection to the backend").register(registry);
				Gauge.builder("lighttpd.gateway.backend.state", backend, (b) -> b.isServing() ? 1 : 0)
					.tags(tags).description("1 while the backend takes requests, else 0").register(registry);
				FunctionCounter.builder("lighttpd.gateway.backend.requests", backend, PoolBackend::requests).tags(tags)
					.description("Requests sent to the backend").register(registry);
				FunctionCounter.builder("lighttpd.gateway.backend.failures", backend, PoolBackend::failures).tags(tags)
					.description("Requests the backend refused or failed").register(registry);
				FunctionCounter.builder("lighttpd.gateway.backend.disables", backend, PoolBackend::disables).tags(tags)
					.description("Times the backend was disabled").register(registry);
			}
		}
	}

}
