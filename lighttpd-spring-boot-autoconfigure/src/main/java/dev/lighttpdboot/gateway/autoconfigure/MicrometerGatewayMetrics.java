package dev.lighttpdboot.gateway.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.lighttpdboot.gateway.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Records {@code lighttpd.gateway.requests} (timer; tags {@code pool}, {@code backend}, {@code outcome}) and
 * {@code lighttpd.gateway.stderr} (counter; tags {@code pool}, {@code backend}).
 */
final class MicrometerGatewayMetrics implements GatewayMetrics {

	private final ObjectProvider<MeterRegistry> registry;

	// Meters by tags, so that a request costs a map read, not a registry lookup (and no bean lookup).
	private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

	private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

	private volatile MeterRegistry meters;

	MicrometerGatewayMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void request(String pool, String backend, String outcome, Duration duration) {
		MeterRegistry meters = meters();
		if (meters != null) {
			this.timers.computeIfAbsent(List.of(pool, backend, outcome), (tags) -> Timer.builder("lighttpd.gateway.requests")
				.description("Requests proxied to backends, until the response head")
				.tag("pool", pool).tag("backend", backend).tag("outcome", outcome).register(meters))
				.record(duration);
		}
	}

	@Override
	public void stderr(String pool, String backend) {
		MeterRegistry meters = meters();
		if (meters != null) {
			this.counters.computeIfAbsent(List.of(pool, backend), (tags) -> Counter.builder("lighttpd.gateway.stderr")
				.description("Error output written by backends")
				.tag("pool", pool).tag("backend", backend).register(meters))
				.increment();
		}
	}

	private MeterRegistry meters() {
		MeterRegistry meters = this.meters;
		if (meters == null) {
			// Looked up on first use, not at construction: the registry may be created after this bean.
			meters = this.registry.getIfAvailable();
			this.meters = meters;
		}
		return meters;
	}

}
