package dev.lighttpdboot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayMetrics;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint, health indicator and meters of a pool whose backends are switched on and off on a fake clock.
 */
class LighttpdActuatorTests {

	private final AtomicLong clock = new AtomicLong();

	private final GatewayPool pool = new GatewayPool("php",
			List.of(backend(0, "127.0.0.1:9000"), backend(1, "127.0.0.1:9001")), (usable, key) -> usable.get(0),
			"/srv/www", GatewayMetrics.NONE, this.clock::get);

	@Test
	void healthIsUpThenDegradedThenDown() {
		assertThat(health().getStatus()).isEqualTo(Status.UP);
		assertThat(health().getDetails()).doesNotContainKey("degraded");
		refuseOnce();
		Health degraded = health();
		assertThat(degraded.getStatus()).isEqualTo(Status.UP);
		assertThat(degraded.getDetails()).containsEntry("degraded", true).containsEntry("active", 1)
			.containsEntry("backends", Map.of("127.0.0.1:9000", "disabled", "127.0.0.1:9001", "active"));
		this.pool.processStopped(1, "exited");
		assertThat(health().getStatus()).isEqualTo(Status.DOWN);
		this.clock.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThat(health().getStatus()).as("a backend due for its probe is usable").isEqualTo(Status.UP);
	}

	@Test
	void endpointShowsEachBackendsStateAndCounters() {
		refuseOnce();
		LighttpdEndpoint endpoint = new LighttpdEndpoint(new GatewayPools(List.of(this.pool)), null);
		LighttpdEndpoint.PoolDescriptor php = endpoint.lighttpd().block(Duration.ofSeconds(5)).pools().get("php");
		assertThat(php.usable()).isTrue();
		LighttpdEndpoint.BackendDescriptor first = php.backends().get(0);
		assertThat(first.address()).isEqualTo("127.0.0.1:9000");
		assertThat(first.state()).isEqualTo("disabled");
		assertThat(first.disabledForMillis()).isEqualTo(1000);
		assertThat(first.requests()).isEqualTo(1);
		assertThat(first.failures()).isEqualTo(1);
		assertThat(first.disables()).isEqualTo(1);
		assertThat(first.lastFailure()).isEqualTo("connection refused");
		assertThat(php.backends().get(1).state()).isEqualTo("active");
		assertThat(endpoint.pool("php")).isEqualTo(php);
		assertThat(endpoint.pool("nope")).isNull();
	}

	@Test
	void endpointShowsTheUploadsInProgress() {
		InMemoryUploadProgressStore store = new InMemoryUploadProgressStore(Duration.ofMinutes(1), 100);
		try {
			store.start("a", 1000);
			store.update("a", 400);
			store.start("b", -1);
			store.start("c", 10);
			store.done("c", 10);
			LighttpdEndpoint.LighttpdDescriptor shown = new LighttpdEndpoint(null, store).lighttpd()
				.block(Duration.ofSeconds(5));
			assertThat(shown.pools()).isEmpty();
			assertThat(shown.uploads()).containsOnlyKeys("a", "b")
				.containsEntry("a", new LighttpdEndpoint.UploadDescriptor("uploading", 400, 1000))
				.containsEntry("b", new LighttpdEndpoint.UploadDescriptor("starting", 0, -1));
		}
		finally {
			store.close();
		}
	}

	@Test
	void metersFollowThePool() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new GatewayPoolMeters(List.of(this.pool)).bindTo(registry);
		refuseOnce();
		assertThat(registry.get("lighttpd.gateway.backend.state").tag("backend", "127.0.0.1:9000").gauge().value())
			.isZero();
		assertThat(registry.get("lighttpd.gateway.backend.state").tag("backend", "127.0.0.1:9001").gauge().value())
			.isEqualTo(1);
		assertThat(registry.get("lighttpd.gateway.backend.disables").tag("pool", "php").tag("backend", "127.0.0.1:9000")
			.functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("lighttpd.gateway.backend.requests").tag("backend", "127.0.0.1:9001")
			.functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("lighttpd.gateway.backend.inflight").tag("backend", "127.0.0.1:9001").gauge().value())
			.as("the answered request is still in flight until its body is read").isEqualTo(1);
	}

	private Health health() {
		return new GatewayPoolHealthIndicator(this.pool).health().block(Duration.ofSeconds(5));
	}

	private void refuseOnce() {
		// The first backend refuses, the second answers (its body is left unread).
		this.pool.exchange(List.of(Map.entry("REQUEST_URI", "/a.php")), Flux::empty, (backend, text) -> {
		}).block(Duration.ofSeconds(5));
	}

	private PoolBackend backend(int position, String name) {
		GatewayBackend backend = new GatewayBackend() {

			@Override
			public String name() {
				return name;
			}

			@Override
			public Mono<GatewayResponse> exchange(List<Map.Entry<String, String>> params,
					Supplier<Flux<DataBuffer>> body, StderrListener stderr) {
				if (position == 0) {
					return Mono.error(BackendException.unavailable("connection refused", null));
				}
				return Mono.just(new GatewayResponse(new dev.lighttpdboot.gateway.CgiResponseHead(
						HttpStatus.OK, new HttpHeaders()), Flux.empty()));
			}

			@Override
			public Mono<Void> dispose() {
				return Mono.empty();
			}

		};
		return new PoolBackend("php", position, 1, backend, Duration.ofSeconds(1), this.clock::get);
	}

}
