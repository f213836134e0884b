package dev.lighttpdboot.gateway.balancer;

import java.util.List;

/**
 * Always the first usable backend in configured order: pure fail-over, the others being spares that take requests
 * only while every backend before them is disabled. Stateless.
 */
public final class StaticBalancer implements Balancer {

	/**
	 * Choose the first usable backend.
	 */
	@Override
	public BalancedBackend choose(List<? extends BalancedBackend> usable, String key) {
		return usable.get(0);
	}

}
