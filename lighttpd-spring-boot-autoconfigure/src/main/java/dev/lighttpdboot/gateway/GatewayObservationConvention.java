package dev.lighttpdboot.gateway;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the observations of backend calls; implement it (and pass it to the pool) to change them.
 */
public interface GatewayObservationConvention extends ObservationConvention<GatewayObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof GatewayObservationContext;
	}

}
