package dev.lighttpdboot.gateway.balancer;

import java.util.List;

/**
 * Placeholder until the balancers land: every policy takes the first usable backend.
 */
public final class Balancers {

	private Balancers() {
	}

	public static Balancer create(String policy, List<? extends BalancedBackend> all) {
		return (usable, key) -> usable.get(0);
	}

}
