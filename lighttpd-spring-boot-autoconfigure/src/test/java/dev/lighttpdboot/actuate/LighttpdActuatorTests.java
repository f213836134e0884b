package dev.lighttpdboot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayMetrics;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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
			.containsEntry("backends", Map.of("php-0", details("disabled", "127.0.0.1:9000"), "php-1",
					details("active", "127.0.0.1:9001")));
		this.pool.processStopped(1, "exited");
		assertThat(health().getStatus()).isEqualTo(Status.DOWN);
		this.clock.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThat(health().getStatus()).as("due for its probe, but nothing says yet that it is back")
			.isEqualTo(Status.DOWN);
	}

	/** A backend's health details: keyed by its id, as in metrics, with its address beside its state. */
	private static Map<String, String> details(String state, String address) {
		return Map.of("state", state, "address", address);
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
	void drainTakesABackendOutOfRotationAndEnableBringsItBack() {
		// backend(...) below answers on 1 and refuses on 0: send every request to 1 first.
		GatewayPool pool = new GatewayPool("php", List.of(backend(0, "127.0.0.1:9000"), backend(1, "127.0.0.1:9001")),
				(usable, key) -> usable.get(usable.size() - 1), "/srv/www", GatewayMetrics.NONE, this.clock::get);
		LighttpdEndpoint endpoint = new LighttpdEndpoint(new GatewayPools(List.of(pool)), null);
		LighttpdEndpoint.BackendDescriptor drained = endpoint.backend("php", "php-1", "drain");
		assertThat(drained.hold()).isEqualTo("drain");
		assertThat(drained.state()).isEqualTo("active");
		assertThat(new GatewayPoolHealthIndicator(pool).health().block(Duration.ofSeconds(5)).getDetails())
			.containsEntry("backends", Map.of("php-0", details("active", "127.0.0.1:9000"), "php-1",
					details("active (drain)", "127.0.0.1:9001")));
		assertThatExceptionOfType(BackendException.class).as("only the refusing backend is left")
			.isThrownBy(() -> send(pool));
		assertThat(pool.backend(1).requests()).isZero();
		assertThat(endpoint.backend("php", "1", "enable").hold()).isEqualTo("none");
		send(pool);
		assertThat(pool.backend(1).requests()).isEqualTo(1);
	}

	@Test
	void disabledBackendsTakeNoRequestAndEnablingOneThatRestsMakesItDueForItsProbe() {
		LighttpdEndpoint endpoint = new LighttpdEndpoint(new GatewayPools(List.of(this.pool)), null);
		refuseOnce();
		assertThat(endpoint.backend("php", "127.0.0.1:9000", "disable").hold()).isEqualTo("disable");
		endpoint.backend("php", "php-1", "disable");
		assertThat(this.pool.hasServingBackend()).isFalse();
		assertThat(this.pool.hasUsableBackend()).isFalse();
		assertThatExceptionOfType(BackendException.class).isThrownBy(() -> send(this.pool));
		assertThat(this.pool.backend(1).requests()).isEqualTo(1);
		assertThat(endpoint.backend("php", "php-0", "enable").hold()).isEqualTo("none");
		assertThat(this.pool.backend(0).disabledFor()).as("due for its probe at once, not after 1 s")
			.isEqualTo(Duration.ZERO);
		assertThat(this.pool.hasUsableBackend()).isTrue();
	}

	@Test
	void writesNameAnExistingBackendAndAKnownAction() {
		LighttpdEndpoint endpoint = new LighttpdEndpoint(new GatewayPools(List.of(this.pool)), null);
		assertThat(endpoint.backend("nope", "php-0", "drain")).isNull();
		assertThat(endpoint.backend("php", "php-7", "drain")).isNull();
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> endpoint.backend("php", "php-0", "explode"));
		assertThat(this.pool.backend(0).hold()).isEqualTo(PoolBackend.Hold.NONE);
	}

	@Test
	void endpointShowsEachRoutesRules() {
		LighttpdEndpoint.RouteDescriptor route = new LighttpdEndpoint.RouteDescriptor(List.of(".php"), null,
				"fastcgi", true, "static", Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(1), 64,
				100, Duration.ofSeconds(10));
		LighttpdEndpoint endpoint = new LighttpdEndpoint(new GatewayPools(List.of(this.pool)), null,
				Map.of("php", route));
		LighttpdEndpoint.PoolDescriptor php = endpoint.pool("php");
		assertThat(php.route()).isEqualTo(route);
		assertThat(php.processes()).isEmpty();
		assertThat(php.backends()).extracting(LighttpdEndpoint.BackendDescriptor::id).containsExactly("php-0", "php-1");
	}

	private static void send(GatewayPool pool) {
		pool.exchange(new GatewayRequest(HttpMethod.GET, "/a.php", new HttpHeaders(), null, null, "http", null,
				"HTTP/1.1", "/a.php", SpooledBody.EMPTY, null), (backend, text) -> {
				}).block(Duration.ofSeconds(5));
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
		assertThat(registry.get("lighttpd.gateway.backend.state").tag("backend", "php-0").gauge().value())
			.isZero();
		assertThat(registry.get("lighttpd.gateway.backend.state").tag("backend", "php-1").gauge().value())
			.isEqualTo(1);
		assertThat(registry.get("lighttpd.gateway.backend.disables").tag("pool", "php").tag("backend", "php-0")
			.functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("lighttpd.gateway.backend.requests").tag("backend", "php-1")
			.functionCounter().count()).isEqualTo(1);
		assertThat(registry.get("lighttpd.gateway.backend.inflight").tag("backend", "php-1").gauge().value())
			.as("the answered request is still in flight until its body is read").isEqualTo(1);
	}

	private Health health() {
		return new GatewayPoolHealthIndicator(this.pool).health().block(Duration.ofSeconds(5));
	}

	private void refuseOnce() {
		// The first backend refuses, the second answers (its body is left unread).
		this.pool.exchange(new GatewayRequest(HttpMethod.GET, "/a.php", new HttpHeaders(), null, null, "http", null,
				"HTTP/1.1", "/a.php", SpooledBody.EMPTY, null), (backend, text) -> {
				}).block(Duration.ofSeconds(5));
	}

	private PoolBackend backend(int position, String name) {
		GatewayBackend backend = new GatewayBackend() {

			@Override
			public String name() {
				return name;
			}

			@Override
			public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
				if (position == 0) {
					return Mono.error(BackendException.unavailable("connection refused", null));
				}
				return Mono.just(new GatewayResponse(new CgiResponseHead(HttpStatus.OK, new HttpHeaders()),
						Flux.empty()));
			}

			@Override
			public Mono<Void> dispose() {
				return Mono.empty();
			}

		};
		return new PoolBackend("php", position, 1, backend, Duration.ofSeconds(1), this.clock::get);
	}

}
