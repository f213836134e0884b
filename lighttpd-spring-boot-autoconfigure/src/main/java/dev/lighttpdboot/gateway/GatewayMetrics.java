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
	 * An attempt to send a request to a backend ended: its response head arrived, or it failed. A request that a
	 * backend did not take and that went on to another counts once for each backend it tried.
	 * @param pool the pool's (and route's) name
	 * @param backend the backend's name ({@code none} for a request refused before a backend was chosen)
	 * @param outcome {@code ok} (a head arrived, whatever its status), {@code broken} (502), {@code unavailable}
	 * (503: no connection, or overloaded), {@code timeout} (504) or {@code too-large} (413)
	 * @param duration from the start of the attempt to the head or the failure
	 */
	default void request(String pool, String backend, String outcome, Duration duration) {
	}

	/**
	 * A backend wrote to its error stream.
	 * @param pool the pool's (and route's) name
	 * @param backend the backend's name
	 */
	default void stderr(String pool, String backend) {
	}

}
