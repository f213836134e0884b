package dev.lighttpdboot.gateway.autoconfigure;

import java.time.Duration;

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

	MicrometerGatewayMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void request(String pool, String backend, String outcome, Duration duration) {
		MeterRegistry meters = this.registry.getIfAvailable();
		if (meters != null) {
			Timer.builder("lighttpd.gateway.requests").description("Requests proxied to backends, until the response head")
				.tag("pool", pool).tag("backend", backend).tag("outcome", outcome).register(meters).record(duration);
		}
	}

	@Override
	public void stderr(String pool, String backend) {
		MeterRegistry meters = this.registry.getIfAvailable();
		if (meters != null) {
			Counter.builder("lighttpd.gateway.stderr").description("Error output written by backends")
				.tag("pool", pool).tag("backend", backend).register(meters).increment();
		}
	}

}
