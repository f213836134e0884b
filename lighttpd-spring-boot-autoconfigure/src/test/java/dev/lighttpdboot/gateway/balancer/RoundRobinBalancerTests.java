package dev.lighttpdboot.gateway.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import static dev.lighttpdboot.gateway.balancer.FakeBackend.counts;
import static dev.lighttpdboot.gateway.balancer.FakeBackend.sequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class RoundRobinBalancerTests {

	private final RoundRobinBalancer balancer = new RoundRobinBalancer();

	@Test
	void equalWeightsTakeTurnsInConfiguredOrder() {
		List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);
		assertThat(sequence(this.balancer, pool, 6)).isEqualTo("abcabc");
		assertThat(counts(this.balancer, pool, 300)).containsOnly(entry("a", 100), entry("b", 100), entry("c", 100));
	}

	@Test
	void weightsFiveOneOneInterleaveAsNginxDoes() {
		List<FakeBackend> pool = FakeBackend.pool(5, 1, 1);
		assertThat(sequence(this.balancer, pool, 14)).isEqualTo("aabacaa" + "aabacaa");
	}

	@Test
	void backendRemovedMidSequenceGetsNothingAndTheOthersContinueEvenly() {
		List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);
		List<FakeBackend> withoutB = List.of(pool.get(0), pool.get(2));
		assertThat(sequence(this.balancer, pool, 4)).isEqualTo("abca");
		Map<String, Integer> whileBIsOut = counts(this.balancer, withoutB, 41);
		assertThat(whileBIsOut).containsOnlyKeys("a", "c");
		assertThat(Math.abs(whileBIsOut.get("a") - whileBIsOut.get("c"))).isLessThanOrEqualTo(1);
		Map<String, Integer> afterBReturns = counts(this.balancer, pool, 300);
		assertThat(afterBReturns.values()).allSatisfy((count) -> assertThat(count).isBetween(99, 101));
	}

	@Test
	void concurrentChoicesKeepExactTotals() throws Exception {
		List<FakeBackend> pool = FakeBackend.pool(3, 2, 1);
		int threads = 4;
		int choicesPerThread = 6_000;
		Map<String, LongAdder> counts = new ConcurrentHashMap<>();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				done.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < choicesPerThread; i++) {
						counts.computeIfAbsent(this.balancer.choose(pool, "/").name(), (name) -> new LongAdder())
							.increment();
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : done) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		// The sequence has a period of 6 whoever asks, so 24,000 choices split exactly 3:2:1.
		assertThat(counts).hasSize(3);
		assertThat(counts.get("a").sum()).isEqualTo(12_000);
		assertThat(counts.get("b").sum()).isEqualTo(8_000);
		assertThat(counts.get("c").sum()).isEqualTo(4_000);
	}

}
