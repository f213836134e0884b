package dev.lighttpdboot.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.common.KeyValues;

/**
 * The default names of backend-call observations: {@code lighttpd.gateway.requests} (the timer of that name when
 * Micrometer's meter handler is registered), contextual name {@code gateway <pool>} (the span's name), low
 * cardinality keys {@code pool}, {@code protocol} ({@code fastcgi}, {@code scgi}...), {@code backend} (its id,
 * {@code php-0}) and {@code outcome}, high cardinality key
 * {@code backend.address}.
 * <p>
 * The low cardinality keys are made once per combination and kept: they are asked for twice per call (when it starts
 * and when it stops), and {@link KeyValues#of} sorts its pairs each time it makes them. The combinations come from
 * the configuration (pools and their backends) and a fixed set of outcomes; past {@value #MAX_KEPT} of them, they are
 * made each time.
 */
public class DefaultGatewayObservationConvention implements GatewayObservationConvention {

	/** The observation's (and timer's) name. */
	public static final String NAME = "lighttpd.gateway.requests";

	/** The shared instance. */
	public static final DefaultGatewayObservationConvention INSTANCE = new DefaultGatewayObservationConvention();

	/** How many combinations of low cardinality values are kept at most. */
	static final int MAX_KEPT = 4096;

	private final Map<LowCardinality, KeyValues> kept = new ConcurrentHashMap<>();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(GatewayObservationContext context) {
		return "gateway " + context.getPool();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(GatewayObservationContext context) {
		LowCardinality values = new LowCardinality(context.getPool(), context.getProtocol(), context.getBackend(),
				context.getOutcome());
		KeyValues keyValues = this.kept.get(values);
		if (keyValues == null) {
			keyValues = values.toKeyValues();
			if (this.kept.size() < MAX_KEPT) {
				this.kept.putIfAbsent(values, keyValues);
			}
		}
		return keyValues;
	}

	/** How many combinations are kept (for tests). */
	int keptCount() {
		return this.kept.size();
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(GatewayObservationContext context) {
		return KeyValues.of("backend.address", context.getAddress());
	}

	private record LowCardinality(String pool, String protocol, String backend, String outcome) {

		KeyValues toKeyValues() {
			return KeyValues.of("pool", this.pool, "protocol", this.protocol, "backend", this.backend, "outcome",
					this.outcome);
		}

	}

}
