package dev.lighttpdboot.gateway.balancer;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static dev.lighttpdboot.gateway.balancer.FakeBackend.counts;
import static dev.lighttpdboot.gateway.balancer.FakeBackend.sequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class ShortestQueueBalancerTests {

	private final ShortestQueueBalancer balancer = new ShortestQueueBalancer();

	@Test
	void picksTheLeastLoaded() {
		List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);
		pool.get(0).setLoad(3);
		pool.get(1).setLoad(1);
		pool.get(2).setLoad(2);
		assertThat(sequence(this.balancer, pool, 3)).isEqualTo("bbb");
	}

	@Test
	void tiesTakeTurns() {
		List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);
		assertThat(sequence(this.balancer, pool, 6)).isEqualTo("abcabc");
		assertThat(counts(this.balancer, pool, 300)).containsOnly(entry("a", 100), entry("b", 100), entry("c", 100));
	}

	@Test
	void tiesTakeTurnsAmongTheTiedOnly() {
		List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);
		pool.get(0).setLoad(2);
		assertThat(counts(this.balancer, pool, 100)).containsOnly(entry("b", 50), entry("c", 50));
	}

	@Test
	void loadIsComparedPerUnitOfWeight() {
		List<FakeBackend> pool = FakeBackend.pool(2, 1);
		FakeBackend heavy = pool.get(0);
		FakeBackend light = pool.get(1);
		light.setLoad(2);
		heavy.setLoad(3);
		assertThat(this.balancer.choose(pool, "/")).isSameAs(heavy);
		heavy.setLoad(5);
		assertThat(this.balancer.choose(pool, "/")).isSameAs(light);
	}

	@Test
	void weightTwoHoldsTwiceTheRequestsInFlight() {
		List<FakeBackend> pool = FakeBackend.pool(2, 1);
		for (int i = 0; i < 30; i++) {
			((FakeBackend) this.balancer.choose(pool, "/")).addLoad(1);
		}
		assertThat(pool.get(0).load()).isEqualTo(20);
		assertThat(pool.get(1).load()).isEqualTo(10);
	}

	@Test
	void oneSlowBackendReceivesFewRequests() {
		List<FakeBackend> pool = FakeBackend.pool(1, 1);
		FakeBackend fast = pool.get(0);
		FakeBackend slow = pool.get(1);
		Map<String, Integer> counts = new TreeMap<>();
		for (int request = 1; request <= 1_000; request++) {
			FakeBackend chosen = (FakeBackend) this.balancer.choose(pool, "/");
			counts.merge(chosen.name(), 1, Integer::sum);
			// The fast backend answers before the next request arrives (its load stays 0); the slow one answers
			// one request in the time 50 arrive.
			if (chosen == slow) {
				slow.addLoad(1);
			}
			if (request % 50 == 0 && slow.load() > 0) {
				slow.addLoad(-1);
			}
		}
		assertThat(counts.get(slow.name())).isLessThan(50);
		assertThat(counts.get(fast.name())).isGreaterThan(950);
	}

}
