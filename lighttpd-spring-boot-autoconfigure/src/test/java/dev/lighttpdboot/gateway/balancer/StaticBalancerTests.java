package dev.lighttpdboot.gateway.balancer;

import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.lighttpdboot.gateway.balancer.FakeBackend.sequence;
import static org.assertj.core.api.Assertions.assertThat;

class StaticBalancerTests {

	private final StaticBalancer balancer = new StaticBalancer();

	private final List<FakeBackend> pool = FakeBackend.pool(1, 1, 1);

	@Test
	void firstUsableTakesEveryRequestWhateverItsLoad() {
		this.pool.get(0).setLoad(100);
		assertThat(sequence(this.balancer, this.pool, 5)).isEqualTo("aaaaa");
	}

	@Test
	void nextTakesOverWhileTheFirstIsOutAndTheFirstTakesBackWhenItReturns() {
		List<FakeBackend> withoutA = this.pool.subList(1, 3);
		List<FakeBackend> onlyC = this.pool.subList(2, 3);
		assertThat(sequence(this.balancer, this.pool, 2)).isEqualTo("aa");
		assertThat(sequence(this.balancer, withoutA, 2)).isEqualTo("bb");
		assertThat(sequence(this.balancer, onlyC, 2)).isEqualTo("cc");
		assertThat(sequence(this.balancer, withoutA, 2)).isEqualTo("bb");
		assertThat(sequence(this.balancer, this.pool, 2)).isEqualTo("aa");
	}

}
