package dev.lighttpdboot.gateway.balancer;

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Smooth weighted round-robin, as nginx and Apache's {@code byrequests} do it: weights 5, 1 and 1 give a, a, b, a,
 * c, a, a rather than five a's in a row, so a heavy backend never takes a burst while the others idle.
 * <p>
 * Each choice adds every usable backend's weight to its current weight, takes the backend with the highest current
 * weight (the first in configured order on a tie) and subtracts the usable backends' total weight from it. A backend
 * that is not usable keeps its current weight untouched and resumes from it when it returns. State is kept per
 * {@link BalancedBackend#position()}; a lock guards it, since one choice reads and writes every backend's state and
 * takes a few nanoseconds per backend.
 */
public final class RoundRobinBalancer implements Balancer {

	private final Object lock = new Object();

	private long[] currentWeights = new long[0];

	/**
	 * Choose the next backend in the smooth weighted sequence.
	 */
	@Override
	public BalancedBackend choose(List<? extends BalancedBackend> usable, String key) {
		synchronized (this.lock) {
			BalancedBackend best = null;
			long bestWeight = 0;
			long total = 0;
			for (BalancedBackend backend : usable) {
				long current = addWeight(backend);
				total += backend.weight();
				if (best == null || current > bestWeight) {
					best = backend;
					bestWeight = current;
				}
			}
			if (best == null) {
				throw new IllegalArgumentException("no usable backend to choose from");
			}
			this.currentWeights[best.position()] -= total;
			return best;
		}
	}

	private long addWeight(BalancedBackend backend) {
		int position = backend.position();
		if (position >= this.currentWeights.length) {
			// Positions are stable and dense, so this grows once per backend at most.
			this.currentWeights = Arrays.copyOf(this.currentWeights, position + 1);
		}
		this.currentWeights[position] += backend.weight();
		return this.currentWeights[position];
	}

}
