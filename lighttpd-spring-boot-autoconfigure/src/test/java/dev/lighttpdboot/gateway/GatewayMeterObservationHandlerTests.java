package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's meter handler records what Micrometer's default handler records for the same observations, meter for
 * meter and count for count, while it looks each meter up once.
 */
class GatewayMeterObservationHandlerTests {

	@Test
	void recordsTheMetersOfMicrometersDefaultHandler() {
		SimpleMeterRegistry expected = new SimpleMeterRegistry();
		SimpleMeterRegistry actual = new SimpleMeterRegistry();
		GatewayMeterObservationHandler handler = new GatewayMeterObservationHandler(actual, true);
		Map<String, Long> whileRunning = calls(observations(new DefaultMeterObservationHandler(expected)), expected);
		assertThat(calls(observations(handler), actual)).isEqualTo(whileRunning)
			.containsEntry("lighttpd.gateway.requests.active[backend=php-0, outcome=unknown, pool=php, protocol=fastcgi]",
					1L);
		assertThat(meters(actual)).isEqualTo(meters(expected))
			.containsEntry("lighttpd.gateway.requests[backend=php-0, error=none, outcome=ok, pool=php, protocol=fastcgi]",
					2L)
			.containsEntry(
					"lighttpd.gateway.requests[backend=php-1, error=IOException, outcome=broken, pool=php, protocol=fastcgi]",
					1L)
			.containsEntry("lighttpd.gateway.requests.active[backend=php-0, outcome=unknown, pool=php, protocol=fastcgi]",
					0L);
		// One timer per combination of tags, one long task timer per backend.
		assertThat(handler.keptCount()).isEqualTo(2 + 2);
	}

	@Test
	void withoutTheLongTaskTimerOnlyTheTimerIsRecorded() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		calls(observations(new GatewayMeterObservationHandler(registry, false)), registry);
		assertThat(meters(registry)).containsOnlyKeys(
				"lighttpd.gateway.requests[backend=php-0, error=none, outcome=ok, pool=php, protocol=fastcgi]",
				"lighttpd.gateway.requests[backend=php-1, error=IOException, outcome=broken, pool=php, protocol=fastcgi]");
	}

	@Test
	void onlyBackendCallsAreItsToRecord() {
		MeterObservationHandler<?> handler = new GatewayMeterObservationHandler(new SimpleMeterRegistry(), true);
		assertThat(handler.supportsContext(new GatewayObservationContext("php", "fastcgi", "php-0", "a"))).isTrue();
		assertThat(handler.supportsContext(new Observation.Context())).isFalse();
	}

	@Test
	void metersKeptStayWithinTheirBound() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		GatewayMeterObservationHandler handler = new GatewayMeterObservationHandler(registry, true);
		ObservationRegistry observations = observations(handler);
		int pools = GatewayMeterObservationHandler.MAX_KEPT + 10;
		for (int i = 0; i < pools; i++) {
			end(observation(observations, "pool-" + i, "b-0").start(), "ok");
		}
		assertThat(handler.keptCount()).isEqualTo(2 * GatewayMeterObservationHandler.MAX_KEPT);
		assertThat(registry.find(DefaultGatewayObservationConvention.NAME).timers()).hasSize(pools);
	}

	/**
	 * Two calls that went well and one that broke on php-0 and php-1; returns the meters as they were while one call
	 * was running.
	 */
	private static Map<String, Long> calls(ObservationRegistry observations, MeterRegistry registry) {
		end(observation(observations, "php", "php-0").start(), "ok");
		Observation running = observation(observations, "php", "php-0").start();
		Map<String, Long> whileRunning = meters(registry);
		end(running, "ok");
		end(observation(observations, "php", "php-1").start().error(new IOException("reset")), "broken");
		return whileRunning;
	}

	private static void end(Observation observation, String outcome) {
		((GatewayObservationContext) observation.getContext()).setOutcome(outcome);
		observation.stop();
	}

	private static Observation observation(ObservationRegistry observations, String pool, String backend) {
		GatewayObservationContext context = new GatewayObservationContext(pool, "fastcgi", backend, "127.0.0.1:9000");
		return Observation.createNotStarted(null, DefaultGatewayObservationConvention.INSTANCE, () -> context,
				observations);
	}

	private static ObservationRegistry observations(MeterObservationHandler<?> handler) {
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(handler);
		return observations;
	}

	private static Map<String, Long> meters(MeterRegistry registry) {
		Map<String, Long> meters = new TreeMap<>();
		for (Meter meter : registry.getMeters()) {
			List<String> tags = meter.getId().getTags().stream().map((tag) -> tag.getKey() + "=" + tag.getValue()).toList();
			long count = (meter instanceof Timer timer) ? timer.count()
					: ((LongTaskTimer) meter).activeTasks();
			meters.put(meter.getId().getName() + tags, count);
		}
		return meters;
	}

}
