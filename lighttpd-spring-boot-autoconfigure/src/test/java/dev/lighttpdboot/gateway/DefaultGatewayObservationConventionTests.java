package dev.lighttpdboot.gateway;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default convention's keys: what they say, and that the low cardinality ones are made once per combination and
 * kept within a bound.
 */
class DefaultGatewayObservationConventionTests {

	private final DefaultGatewayObservationConvention convention = new DefaultGatewayObservationConvention();

	@Test
	void lowCardinalityKeysNameThePoolProtocolBackendAndOutcome() {
		GatewayObservationContext context = context("php", "php-0", "ok");
		assertThat(this.convention.getLowCardinalityKeyValues(context)).containsExactly(KeyValue.of("backend", "php-0"),
				KeyValue.of("outcome", "ok"), KeyValue.of("pool", "php"), KeyValue.of("protocol", "fastcgi"));
		assertThat(this.convention.getHighCardinalityKeyValues(context))
			.containsExactly(KeyValue.of("backend.address", "127.0.0.1:9000"));
	}

	@Test
	void theKeysOfACombinationAreMadeOnceAndFollowTheOutcome() {
		GatewayObservationContext started = context("php", "php-0", "unknown");
		KeyValues first = this.convention.getLowCardinalityKeyValues(started);
		assertThat(this.convention.getLowCardinalityKeyValues(context("php", "php-0", "unknown"))).isSameAs(first);
		started.setOutcome("timeout");
		assertThat(this.convention.getLowCardinalityKeyValues(started)).contains(KeyValue.of("outcome", "timeout"))
			.isNotSameAs(first);
		assertThat(this.convention.getLowCardinalityKeyValues(context("php", "php-1", "unknown")))
			.contains(KeyValue.of("backend", "php-1"));
		assertThat(this.convention.keptCount()).isEqualTo(3);
	}

	@Test
	void combinationsKeptStayWithinTheirBound() {
		int combinations = DefaultGatewayObservationConvention.MAX_KEPT + 100;
		for (int i = 0; i < combinations; i++) {
			assertThat(this.convention.getLowCardinalityKeyValues(context("pool-" + i, "b", "ok")))
				.contains(KeyValue.of("pool", "pool-" + i));
		}
		assertThat(this.convention.keptCount()).isEqualTo(DefaultGatewayObservationConvention.MAX_KEPT);
	}

	private static GatewayObservationContext context(String pool, String backend, String outcome) {
		GatewayObservationContext context = new GatewayObservationContext(pool, "fastcgi", backend, "127.0.0.1:9000");
		context.setOutcome(outcome);
		return context;
	}

}
