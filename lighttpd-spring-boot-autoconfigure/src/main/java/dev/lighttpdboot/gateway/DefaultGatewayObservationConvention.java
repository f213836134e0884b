package dev.lighttpdboot.gateway;

import io.micrometer.common.KeyValues;

/**
 * The default names of backend-call observations: {@code lighttpd.gateway.requests} (the timer of that name when
 * Micrometer's meter handler is registered), contextual name {@code gateway <pool>} (the span's name), low
 * cardinality keys {@code pool}, {@code protocol} ({@code fastcgi}, {@code scgi}...), {@code backend} (its id,
 * {@code php-0}) and {@code outcome}, high cardinality key
 * {@code backend.address}.
 */
public class DefaultGatewayObservationConvention implements GatewayObservationConvention {

	/** The observation's (and timer's) name. */
	public static final String NAME = "lighttpd.gateway.requests";

	/** The shared instance. */
	public static final DefaultGatewayObservationConvention INSTANCE = new DefaultGatewayObservationConvention();

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
		return KeyValues.of("pool", context.getPool(), "protocol", context.getProtocol(), "backend",
				context.getBackend(), "outcome", context.getOutcome());
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(GatewayObservationContext context) {
		return KeyValues.of("backend.address", context.getAddress());
	}

}
