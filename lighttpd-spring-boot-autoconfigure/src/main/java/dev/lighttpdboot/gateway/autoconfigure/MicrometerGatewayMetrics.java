package dev.lighttpdboot.gateway.autoconfigure;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.gateway.GatewayMeterObservationHandler;
import dev.lighttpdboot.gateway.GatewayMetrics;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Records {@code lighttpd.gateway.stderr} (counter; tags {@code pool}, {@code protocol} ({@code fastcgi},
 * {@code scgi}...), {@code backend} as the backend's id, {@code php-0}). When the application has no {@code ObservationRegistry} (Micrometer without Spring Boot's
 * observation support), it also gives the pools one with a {@link GatewayMeterObservationHandler}, so that their backend calls
 * still make the {@code lighttpd.gateway.requests} timer.
 */
final class MicrometerGatewayMetrics extends OnceBoundMeters implements GatewayMetrics {

	private final ObjectProvider<GatewayPools> pools;

	private final ObservationRegistry observations = ObservationRegistry.create();

	private final Cache<Stderr, Counter> stderr = new Cache<>((registry) -> (tags) -> Counter
		.builder("lighttpd.gateway.stderr")
		.description("Error output written by backends")
		.tag("pool", tags.pool())
		.tag("protocol", protocol(tags))
		.tag("backend", id(tags))
		.register(registry));

	MicrometerGatewayMetrics(ObjectProvider<GatewayPools> pools) {
		this.pools = pools;
	}

	@Override
	protected void register(MeterRegistry registry) {
		this.observations.observationConfig().observationHandler(new GatewayMeterObservationHandler(registry, true));
	}

	@Override
	public ObservationRegistry observationRegistry() {
		return this.observations;
	}

	@Override
	public void stderr(String pool, String backend) {
		Counter counter = this.stderr.get(new Stderr(pool, backend));
		if (counter != null) {
			counter.increment();
		}
	}

	/**
	 * The protocol of the pool, looked up once per pool and address (the counter is kept).
	 */
	private String protocol(Stderr tags) {
		GatewayPool pool = pool(tags);
		return (pool != null) ? pool.protocol() : GatewayPool.UNKNOWN_PROTOCOL;
	}

	/**
	 * The backend's id for its address, looked up once per pool and address (the counter is kept).
	 */
	private String id(Stderr tags) {
		GatewayPool pool = pool(tags);
		if (pool != null) {
			for (PoolBackend backend : pool.backends()) {
				if (backend.name().equals(tags.backend())) {
					return backend.id();
				}
			}
		}
		return "unknown";
	}

	private @Nullable GatewayPool pool(Stderr tags) {
		GatewayPools pools = this.pools.getIfAvailable();
		return (pools != null) ? pools.get(tags.pool()) : null;
	}

	private record Stderr(String pool, String backend) {
	}

}
