package dev.lighttpdboot.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.balancer.BalancedBackend;
import dev.lighttpdboot.gateway.balancer.Balancer;
import dev.lighttpdboot.gateway.balancer.Balancers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One choice of each balancer among four backends of mixed weights and loads, as every proxied request makes on
 * its event loop (the hash balancer also hashes a request path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerBenchmark {

	@Param({ "round-robin", "shortest-queue", "static", "hash" })
	public String policy;

	private List<Backend> backends;

	private Balancer balancer;

	private int request;

	@Setup
	public void setUp() {
		this.backends = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			this.backends.add(new Backend(i, "127.0.0.1:" + (9000 + i), 1 + (i % 2), i * 3 % 5));
		}
		this.balancer = Balancers.create(this.policy, this.backends);
	}

	@Benchmark
	public BalancedBackend choose() {
		this.request++;
		return this.balancer.choose(this.backends, "/shop/item.php/" + (this.request & 1023));
	}

	private record Backend(int position, String name, int weight, int load) implements BalancedBackend {
	}

}
