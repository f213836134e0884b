package dev.lighttpdboot.gateway;

import io.micrometer.observation.ObservationRegistry;

/**
 * Receives every piece of backend error output; the auto-configuration records it with Micrometer. Backend calls
 * themselves are observed by the pool (Micrometer's Observation API), which makes the
 * {@code lighttpd.gateway.requests} timer and, with Micrometer Tracing, a span per call.
 */
public interface GatewayMetrics {

	/** Records nothing. */
	GatewayMetrics NONE = new GatewayMetrics() {
	};

	/**
	 * Return where the pools observe their backend calls when the application has no {@code ObservationRegistry}
	 * of its own: an implementation that records meters registers its meter handler there.
	 */
	default ObservationRegistry observationRegistry() {
		return ObservationRegistry.NOOP;
	}

	/**
	 * A backend wrote to its error stream.
	 * @param pool the pool's (and route's) name
	 * @param backend the backend's name
	 */
	default void stderr(String pool, String backend) {
	}

}
