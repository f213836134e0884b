package dev.lighttpdboot.gateway.balancer;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backend with the fewest requests per unit of weight, lighttpd's default {@code fair} balancer (nginx's
 * {@code least_conn}, Apache's {@code bybusyness}): a backend that answers slowly keeps its requests longer, so it
 * looks busy and receives fewer new ones.
 * <p>
 * Load is {@link BalancedBackend#load()} divided by {@link BalancedBackend#weight()}, compared by cross-multiplying
 * so that no rounding hides a difference: a backend of weight 2 with 4 requests is as busy as one of weight 1 with
 * 2, and weight 2 therefore takes twice the requests before it looks as busy as weight 1.
 * <p>
 * Ties rotate: equally loaded backends take turns through a shared counter, rather than the first in configured
 * order taking every request of a quiet pool (what lighttpd does). The counter is atomic and loads are read once
 * per choice, so no lock is needed; two concurrent choices may see the same loads and pick the same backend, which
 * the next choices even out.
 */
public final class ShortestQueueBalancer implements Balancer {

	private final AtomicInteger ties = new AtomicInteger();

	/**
	 * Choose the least loaded backend, per unit of weight.
	 */
	@Override
	public BalancedBackend choose(List<? extends BalancedBackend> usable, String key) {
		int size = usable.size();
		// Read each load once: it changes under our feet, and both passes must agree on who is tied.
		int[] loads = new int[size];
		int least = 0;
		int tied = 1;
		for (int i = 0; i < size; i++) {
			loads[i] = usable.get(i).load();
			if (i > 0) {
				int order = compare(loads[i], usable.get(i), loads[least], usable.get(least));
				if (order < 0) {
					least = i;
					tied = 1;
				}
				else if (order == 0) {
					tied++;
				}
			}
		}
		if (tied == 1) {
			return usable.get(least);
		}
		int turn = Math.floorMod(this.ties.getAndIncrement(), tied);
		for (int i = least; i < size; i++) {
			if (compare(loads[i], usable.get(i), loads[least], usable.get(least)) == 0 && turn-- == 0) {
				return usable.get(i);
			}
		}
		throw new IllegalStateException("Unreachable: " + tied + " tied backends counted but not found");
	}

	private static int compare(int loadA, BalancedBackend a, int loadB, BalancedBackend b) {
		return Long.compare((long) loadA * b.weight(), (long) loadB * a.weight());
	}

}
