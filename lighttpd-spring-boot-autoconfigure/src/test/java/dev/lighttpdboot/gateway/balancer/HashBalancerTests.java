package dev.lighttpdboot.gateway.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HashBalancerTests {

	private static final long RING_HASH_OF_EMPTY = 7851622403379195773L;

	private static final long RING_HASH_OF_INDEX = -1195222351677303091L;

	private static final long RING_HASH_OF_LONG = 8826228308281649952L;

	private final List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);

	private final HashBalancer balancer = new HashBalancer(this.pool);

	private final List<String> keys = randomPaths(10_000);

	@Test
	void sameKeyStaysOnOneBackendAcrossCallsAndInstances() {
		HashBalancer another = new HashBalancer(this.pool);
		for (String key : this.keys.subList(0, 100)) {
			BalancedBackend first = this.balancer.choose(this.pool, key);
			for (int i = 0; i < 5; i++) {
				assertThat(this.balancer.choose(this.pool, key)).isSameAs(first);
			}
			assertThat(another.choose(this.pool, key)).isSameAs(first);
		}
	}

	@Test
	void loadIsIgnored() {
		String key = "/index.php";
		BalancedBackend owner = this.balancer.choose(this.pool, key);
		((FakeBackend) owner).setLoad(1_000);
		assertThat(this.balancer.choose(this.pool, key)).isSameAs(owner);
	}

	@Test
	void tenThousandKeysSpreadWithinFifteenPercentOfEven() {
		Map<String, Integer> counts = counts(this.pool);
		assertThat(counts).containsOnlyKeys("a", "b", "c");
		assertThat(counts.values()).allSatisfy((count) -> assertThat(count).isBetween(2_833, 3_833));
	}

	@Test
	void removingOneBackendMovesOnlyItsKeysAndSpreadsThemOverTheOthers() {
		List<FakeBackend> withoutB = List.of(this.pool.get(0), this.pool.get(2));
		Map<String, Integer> movedTo = new TreeMap<>();
		for (String key : this.keys) {
			String before = this.balancer.choose(this.pool, key).name();
			String after = this.balancer.choose(withoutB, key).name();
			if (before.equals("b")) {
				movedTo.merge(after, 1, Integer::sum);
			}
			else {
				assertThat(after).as(key).isEqualTo(before);
			}
			assertThat(this.balancer.choose(this.pool, key).name()).as("%s once b is back", key).isEqualTo(before);
		}
		int moved = movedTo.values().stream().mapToInt(Integer::intValue).sum();
		assertThat(movedTo).containsOnlyKeys("a", "c");
		assertThat(movedTo.values()).allSatisfy((count) -> assertThat(count).isGreaterThan(moved / 4));
	}

	@Test
	void weightTwoGetsAboutTwiceTheKeys() {
		List<FakeBackend> weighted = FakeBackend.pool(2, 1, 1);
		Map<String, Integer> counts = counts(new HashBalancer(weighted), weighted);
		// Each within 15 % of its share of the weight: half, a quarter, a quarter.
		assertThat(counts.get("a")).isBetween(4_250, 5_750);
		assertThat(counts.get("b")).isBetween(2_125, 2_875);
		assertThat(counts.get("c")).isBetween(2_125, 2_875);
	}

	@Test
	void aNullKeyIsTheEmptyKey() {
		assertThat(this.balancer.choose(this.pool, null)).isSameAs(this.balancer.choose(this.pool, ""));
	}

	@Test
	void ringHashNeverChanges() {
		// A different hash would move every URL to another backend after an upgrade: these values are pinned.
		assertThat(RingHash.hash("")).isEqualTo(RING_HASH_OF_EMPTY);
		assertThat(RingHash.hash("/index.php")).isEqualTo(RING_HASH_OF_INDEX);
		assertThat(RingHash.hash("/caf\u00e9/menu.php?long=query")).isEqualTo(RING_HASH_OF_LONG);
	}

	@Test
	void aPoolNeedsBackendsOfWeightOneOrMore() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HashBalancer(List.of()));
		assertThatIllegalArgumentException().isThrownBy(() -> new HashBalancer(FakeBackend.pool(1, 0)))
			.withMessageContaining("b has weight 0");
	}

	@Test
	void usableBackendsOfAnotherPoolAreRefused() {
		List<FakeBackend> bigger = FakeBackend.pool(1, 1, 1, 1);
		assertThatIllegalArgumentException().isThrownBy(() -> this.balancer.choose(bigger.subList(3, 4), "/"));
	}

	private Map<String, Integer> counts(List<FakeBackend> usable) {
		return counts(this.balancer, usable);
	}

	private Map<String, Integer> counts(HashBalancer balancer, List<FakeBackend> usable) {
		Map<String, Integer> counts = new TreeMap<>();
		for (String key : this.keys) {
			counts.merge(balancer.choose(usable, key).name(), 1, Integer::sum);
		}
		return counts;
	}

	private static List<String> randomPaths(int count) {
		Random random = new Random(20261126);
		List<String> paths = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			paths.add("/app/" + Long.toHexString(random.nextLong()) + "/page-" + random.nextInt(1000) + ".php");
		}
		return paths;
	}

}
