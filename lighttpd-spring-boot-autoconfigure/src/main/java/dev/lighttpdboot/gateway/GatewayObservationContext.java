package dev.lighttpdboot.gateway;

import io.micrometer.observation.Observation;

/**
 * What an observation of one backend call knows: the pool, its protocol, the backend (its {@link PoolBackend#id() id} and
 * address) and, once it ended, its outcome.
 */
public class GatewayObservationContext extends Observation.Context {

	private final String pool;

	private final String protocol;

	private final String backend;

	private final String address;

	private volatile String outcome = "unknown";

	/**
	 * Create the context of one call.
	 * @param pool the pool's name
	 * @param protocol the protocol its backends speak ({@code fastcgi}, {@code scgi}...)
	 * @param backend the backend's id, {@code php-0}, or {@code none} for a request refused before one was chosen
	 * @param address the backend's address, or {@code none}
	 */
	public GatewayObservationContext(String pool, String protocol, String backend, String address) {
		this.pool = pool;
		this.protocol = protocol;
		this.backend = backend;
		this.address = address;
	}

	/** Return the pool's name. */
	public String getPool() {
		return this.pool;
	}

	/** Return the protocol the pool's backends speak. */
	public String getProtocol() {
		return this.protocol;
	}

	/** Return the backend's id within its pool. */
	public String getBackend() {
		return this.backend;
	}

	/** Return the backend's address. */
	public String getAddress() {
		return this.address;
	}

	/**
	 * Return how the call ended: {@code ok}, {@code unavailable}, {@code timeout}, {@code broken},
	 * {@code queue-full}, {@code cancelled}, {@code error}, or, for requests no backend saw, {@code refused} and
	 * {@code too-large}.
	 */
	public String getOutcome() {
		return this.outcome;
	}

	/** Set how the call ended. */
	public void setOutcome(String outcome) {
		this.outcome = outcome;
	}

}
