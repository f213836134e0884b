package dev.lighttpdboot.gateway.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose load a test sets, named a, b, c... by position.
 */
final class FakeBackend implements BalancedBackend {

	private final int position;

	private final int weight;

	private final AtomicInteger load = new AtomicInteger();

	private FakeBackend(int position, int weight) {
		this.position = position;
		this.weight = weight;
	}

	/**
	 * A pool of backends a, b, c... with the given weights.
	 */
	static List<FakeBackend> pool(int... weights) {
		List<FakeBackend> pool = new ArrayList<>();
		for (int weight : weights) {
			pool.add(new FakeBackend(pool.size(), weight));
		}
		return List.copyOf(pool);
	}

	/**
	 * The names of the backends chosen in {@code choices} calls, in order.
	 */
	static String sequence(Balancer balancer, List<FakeBackend> usable, int choices) {
		StringBuilder names = new StringBuilder();
		for (int i = 0; i < choices; i++) {
			names.append(balancer.choose(usable, "/").name());
		}
		return names.toString();
	}

	/**
	 * How many of {@code choices} calls each backend took, by name; backends that took none are absent.
	 */
	static Map<String, Integer> counts(Balancer balancer, List<FakeBackend> usable, int choices) {
		Map<String, Integer> counts = new TreeMap<>();
		for (int i = 0; i < choices; i++) {
			counts.merge(balancer.choose(usable, "/").name(), 1, Integer::sum);
		}
		return counts;
	}

	@Override
	public int position() {
		return this.position;
	}

	@Override
	public String name() {
		return String.valueOf((char) ('a' + this.position));
	}

	@Override
	public int weight() {
		return this.weight;
	}

	@Override
	public int load() {
		return this.load.get();
	}

	void setLoad(int load) {
		this.load.set(load);
	}

	void addLoad(int delta) {
		this.load.addAndGet(delta);
	}

	@Override
	public String toString() {
		return name();
	}

}
