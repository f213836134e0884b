package dev.lighttpdboot.gateway;

import java.time.Duration;

/**
 * Receives an event for every proxied request and every piece of backend error output; the auto-configuration
 * records them with Micrometer.
 */
public interface GatewayMetrics {

	/** Records nothing. */
	GatewayMetrics NONE = new GatewayMetrics() {
	};

	/**
	 * A request ended its exchange with a backend: its response head arrived, or it failed.
	 * @param route the route's name
	 * @param backend the backend's name
	 * @param outcome {@code ok} (a head arrived, whatever its status), {@code broken} (502), {@code unavailable}
	 * (503), {@code timeout} (504) or {@code too-large} (413)
	 * @param duration from the start of the request to the head or the failure
	 */
	default void request(String route, String backend, String outcome, Duration duration) {
	}

	/**
	 * A backend wrote to its error stream.
	 * @param route the route's name
	 * @param backend the backend's name
	 */
	default void stderr(String route, String backend) {
	}

}
