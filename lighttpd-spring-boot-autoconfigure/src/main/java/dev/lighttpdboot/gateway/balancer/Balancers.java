package dev.lighttpdboot.gateway.balancer;

import java.util.List;

/**
 * Creates a pool's balancer from its policy name, as written in configuration.
 */
public final class Balancers {

	/**
	 * The policy names accepted, without aliases.
	 */
	public static final List<String> POLICIES = List.of("round-robin", "shortest-queue", "static", "hash");

	private Balancers() {
	}

	/**
	 * Create the balancer of one pool. Besides {@link #POLICIES}, lighttpd's names for shortest-queue,
	 * {@code fair} and {@code least-connection}, are accepted so that a lighttpd configuration carries over.
	 * @param policy the policy name, exact (lower case)
	 * @param all every backend of the pool, in configured order
	 * @throws IllegalArgumentException if the policy is unknown (the message names the valid ones)
	 */
	public static Balancer create(String policy, List<? extends BalancedBackend> all) {
		return switch (String.valueOf(policy)) {
			case "round-robin" -> new RoundRobinBalancer();
			case "shortest-queue", "fair", "least-connection" -> new ShortestQueueBalancer();
			case "static" -> new StaticBalancer();
			case "hash" -> new HashBalancer(all);
			default -> throw new IllegalArgumentException(
					"Unknown balancer '" + policy + "'; use one of " + String.join(", ", POLICIES));
		};
	}

}
