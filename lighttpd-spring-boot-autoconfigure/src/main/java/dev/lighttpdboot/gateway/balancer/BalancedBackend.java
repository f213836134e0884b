package dev.lighttpdboot.gateway.balancer;

/**
 * What a {@link Balancer} knows of a backend.
 */
public interface BalancedBackend {

	/**
	 * Return the backend's place in its pool's configured order, from 0; stable for the pool's lifetime.
	 * Balancers keep per-backend state indexed by it.
	 */
	int position();

	/**
	 * Return the backend's name (its address), unique within its pool. The {@code hash} balancer places the backend
	 * on its ring by this name, so renaming a backend moves its keys.
	 */
	String name();

	/**
	 * Return the backend's weight, at least 1: a backend of weight 2 takes twice the requests of one of weight 1.
	 * Fixed for the pool's lifetime (the {@code hash} balancer reads it once, when it builds its ring).
	 */
	int weight();

	/**
	 * Return the requests the backend has now: those in flight plus those waiting for one of its connections. Read
	 * on every choice of the {@code shortest-queue} balancer, on event-loop threads, so it must be a cheap read that
	 * never blocks (an atomic counter); counting a request from the moment it is assigned until its response ends
	 * or fails makes a slow backend look busy.
	 */
	int load();

}
