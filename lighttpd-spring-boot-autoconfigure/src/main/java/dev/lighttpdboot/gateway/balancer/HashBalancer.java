package dev.lighttpdboot.gateway.balancer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Consistent hashing of the request key (the path), so a URL sticks to one backend while that backend is usable:
 * its caches, opcode caches and sessions stay warm. nginx's {@code hash ... consistent} and HAProxy's
 * {@code hash-type consistent} do the same.
 * <p>
 * The ring is built once, from every backend of the pool: {@value #POINTS_PER_WEIGHT} points per unit of weight,
 * each at the {@linkplain RingHash hash} of the backend's name and the point's number. A key goes to the first point
 * at or after its own hash (wrapping around) whose backend is usable. Because the ring never changes while backends
 * come and go, disabling a backend moves only its own keys, each to the next point's backend, which spreads them
 * over the others; when it comes back, exactly those keys return. Renaming a backend or changing its weight moves
 * keys, as it must. The ring is immutable, so choices need no lock.
 */
public final class HashBalancer implements Balancer {

	/**
	 * Points on the ring per unit of weight: enough that three backends split keys within a few percent of even.
	 */
	public static final int POINTS_PER_WEIGHT = 160;

	private final long[] points;

	private final int[] owners;

	private final int positions;

	/**
	 * Build the ring of a pool.
	 * @param all every backend of the pool, usable or not
	 * @throws IllegalArgumentException if there is none, or one has a weight below 1
	 */
	public HashBalancer(List<? extends BalancedBackend> all) {
		if (all.isEmpty()) {
			throw new IllegalArgumentException("A hash balancer needs at least one backend");
		}
		for (BalancedBackend backend : all) {
			if (backend.weight() < 1) {
				throw new IllegalArgumentException("Backend " + backend.name() + " has weight " + backend.weight()
						+ "; a weight is at least 1");
			}
		}
		// Position breaks a (most unlikely) tie of hashes, so the ring never depends on the order of the list.
		Point[] ring = all.stream()
			.flatMap((backend) -> IntStream.range(0, POINTS_PER_WEIGHT * backend.weight())
				.mapToObj((i) -> new Point(RingHash.hash(backend.name() + "#" + i), backend.position())))
			.sorted(Comparator.comparingLong(Point::hash).thenComparingInt(Point::position))
			.toArray(Point[]::new);
		this.points = Arrays.stream(ring).mapToLong(Point::hash).toArray();
		this.owners = Arrays.stream(ring).mapToInt(Point::position).toArray();
		this.positions = Arrays.stream(this.owners).max().getAsInt() + 1;
	}

	/**
	 * Choose the backend that owns the key: the first usable one clockwise from the key's place on the ring.
	 * @param key the request path; {@code null} is hashed as the empty string
	 * @throws IllegalArgumentException if no usable backend is on the ring (they are not of this pool)
	 */
	@Override
	public BalancedBackend choose(List<? extends BalancedBackend> usable, String key) {
		BalancedBackend[] byPosition = new BalancedBackend[this.positions];
		for (BalancedBackend backend : usable) {
			if (backend.position() < this.positions) {
				byPosition[backend.position()] = backend;
			}
		}
		int start = firstPointAtOrAfter(RingHash.hash((key != null) ? key : ""));
		for (int step = 0; step < this.points.length; step++) {
			BalancedBackend owner = byPosition[this.owners[(start + step) % this.points.length]];
			if (owner != null) {
				return owner;
			}
		}
		throw new IllegalArgumentException("None of " + usable + " is on this pool's ring");
	}

	private int firstPointAtOrAfter(long hash) {
		int found = Arrays.binarySearch(this.points, hash);
		// A miss gives -(insertion point) - 1; an insertion point past the end wraps to the ring's first point.
		int index = (found >= 0) ? found : -found - 1;
		return (index < this.points.length) ? index : 0;
	}

	private record Point(long hash, int position) {
	}

}
