package dev.lighttpdboot.gateway.balancer;

/**
 * What a {@link Balancer} knows of a backend.
 */
public interface BalancedBackend {

	/**
	 * Return the backend's place in its pool's configured order, from 0; stable for the pool's lifetime.
	 */
	int position();

	/**
	 * Return the backend's name (its address), unique within its pool.
	 */
	String name();

	/**
	 * Return the backend's weight, at least 1: a backend of weight 2 takes twice the requests of one of weight 1.
	 */
	int weight();

	/**
	 * Return the requests the backend has now: those in flight plus those waiting for one of its connections.
	 */
	int load();

}
