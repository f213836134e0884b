package dev.lighttpdboot.gateway.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BalancersTests {

	private final List<FakeBackend> pool = FakeBackend.pool(1, 2);

	@ParameterizedTest
	@CsvSource({ "round-robin, RoundRobinBalancer", "shortest-queue, ShortestQueueBalancer",
			"fair, ShortestQueueBalancer", "least-connection, ShortestQueueBalancer", "static, StaticBalancer",
			"hash, HashBalancer" })
	void policyNamesAsInConfiguration(String policy, String type) {
		assertThat(Balancers.create(policy, this.pool).getClass().getSimpleName()).isEqualTo(type);
	}

	@Test
	void eachPoolGetsItsOwnBalancer() {
		String alone = FakeBackend.sequence(Balancers.create("round-robin", this.pool), this.pool, 6);
		Balancer first = Balancers.create("round-robin", this.pool);
		Balancer second = Balancers.create("round-robin", this.pool);
		StringBuilder firstChoices = new StringBuilder();
		StringBuilder secondChoices = new StringBuilder();
		for (int i = 0; i < 6; i++) {
			firstChoices.append(first.choose(this.pool, "/").name());
			secondChoices.append(second.choose(this.pool, "/").name());
		}
		// Choices for one pool do not move the rotation of another.
		assertThat(alone).hasSize(6).contains("a", "b");
		assertThat(firstChoices).hasToString(alone);
		assertThat(secondChoices).hasToString(alone);
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "", "rr", "Round-Robin", "least_conn", "sticky" })
	void unknownPolicyNamesTheValidOnes(String policy) {
		assertThatIllegalArgumentException().isThrownBy(() -> Balancers.create(policy, this.pool))
			.withMessage("Unknown balancer '" + policy + "'; use one of round-robin, shortest-queue, static, hash");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases")
	void choiceIsAlwaysOneOfTheUsable(RandomCase randomCase) {
		String policy = randomCase.oneOf(Balancers.POLICIES);
		int size = randomCase.between(1, 6);
		String key = randomCase.string('\u0000', '\uffff', 8);
		Random random = randomCase.random();
		List<FakeBackend> all = FakeBackend.pool(random.ints(size, 1, 4).toArray());
		Balancer balancer = Balancers.create(policy, all);
		for (int step = 0; step < 20; step++) {
			List<FakeBackend> usable = new ArrayList<>();
			for (FakeBackend backend : all) {
				backend.setLoad(random.nextInt(5));
				if (random.nextBoolean()) {
					usable.add(backend);
				}
			}
			if (usable.isEmpty()) {
				usable.add(all.get(random.nextInt(size)));
			}
			assertThat(usable).contains((FakeBackend) balancer.choose(usable, key));
		}
	}

	static Stream<RandomCase> randomCases() {
		return RandomCases.of(200);
	}

}
