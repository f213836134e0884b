package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.gateway.balancer.Balancers;
import dev.lighttpdboot.gateway.fastcgi.FastCgiBackend;
import dev.lighttpdboot.gateway.fastcgi.FastCgiBackendOptions;
import dev.lighttpdboot.test.peers.PhpFpm;
import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.util.FileSystemUtils;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backend calls of a pool of real php-fpm backends go through Micrometer's Observation API: one observation per
 * attempt, named {@code lighttpd.gateway.requests}, with low-cardinality keys pool, protocol, backend (its id) and
 * outcome.
 */
class GatewayPoolObservationTests {

	private static final Path ROOT = scripts();

	@RegisterExtension
	final PhpFpm php = PhpFpm.onFreePort(ROOT).children(2);

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private final List<GatewayPool> pools = new ArrayList<>();

	@AfterEach
	void dispose() {
		this.pools.forEach((pool) -> pool.dispose().block(Duration.ofSeconds(10)));
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileSystemUtils.deleteRecursively(ROOT);
	}

	@Test
	void aBackendCallIsOneObservation() {
		GatewayPool pool = pool(this.php.address());
		assertThat(call(pool)).isEqualTo("hello");
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasNumberOfObservationsWithNameEqualTo("lighttpd.gateway.requests", 1)
			.hasObservationWithNameEqualTo("lighttpd.gateway.requests")
			.that()
			.hasContextualNameEqualTo("gateway php")
			.hasLowCardinalityKeyValue("pool", "php")
			.hasLowCardinalityKeyValue("protocol", "fastcgi")
			.hasLowCardinalityKeyValue("backend", "php-0")
			.hasLowCardinalityKeyValue("outcome", "ok")
			.hasHighCardinalityKeyValue("backend.address", "127.0.0.1:" + this.php.address().getPort())
			.hasBeenStarted()
			.hasBeenStopped();
	}

	@Test
	void theObservationIsAChildOfTheOneInTheReactorContext() {
		GatewayPool pool = pool(this.php.address());
		Observation request = Observation.start("http.server.requests", this.observations);
		// Observed itself, WebClient puts its own observation in the context (a no-op one without a registry).
		String body = WebClient.builder().clientConnector(pool).observationRegistry(this.observations).build().get()
			.uri("/hello.php").retrieve()
			.bodyToMono(String.class)
			.contextWrite((context) -> context.put(ObservationThreadLocalAccessor.KEY, request))
			.block(Duration.ofSeconds(30));
		request.stop();
		assertThat(body).isEqualTo("hello");
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasObservationWithNameEqualTo("lighttpd.gateway.requests")
			.that()
			.hasParentObservationContextMatching((parent) -> parent.getName().equals("http.client.requests"));
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasObservationWithNameEqualTo("http.client.requests")
			.that()
			.hasParentObservationEqualTo(request);
	}

	@Test
	void aFailOverIsOneObservationPerBackendTried() {
		GatewayPool pool = pool(new InetSocketAddress("127.0.0.1", closedPort()), this.php.address());
		assertThat(call(pool)).isEqualTo("hello");
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasNumberOfObservationsWithNameEqualTo("lighttpd.gateway.requests", 2)
			.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("backend", "php-0")
				.hasLowCardinalityKeyValue("outcome", "unavailable")
				.hasError())
			.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("backend", "php-1")
				.hasLowCardinalityKeyValue("outcome", "ok"));
	}

	private GatewayPool pool(InetSocketAddress... addresses) {
		List<PoolBackend> backends = new ArrayList<>();
		for (InetSocketAddress address : addresses) {
			String name = "127.0.0.1:" + address.getPort();
			backends.add(new PoolBackend("php", backends.size(), 1,
					new FastCgiBackend(name, address, new FastCgiBackendOptions(2, 8, Duration.ofSeconds(2),
							Duration.ofSeconds(30), Duration.ofSeconds(30), 64 * 1024)),
					Duration.ofSeconds(1), System::nanoTime));
		}
		GatewayPool pool = new GatewayPool("php", "fastcgi", backends, Balancers.create("static", backends),
				ROOT.toString(), GatewayMetrics.NONE, System::nanoTime, this.observations, null);
		this.pools.add(pool);
		return pool;
	}

	private static String call(GatewayPool pool) {
		return WebClient.builder().clientConnector(pool).build().get().uri("/hello.php").retrieve()
			.bodyToMono(String.class).block(Duration.ofSeconds(30));
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path scripts() {
		try {
			Path root = Files.createTempDirectory("lighttpd-observation-");
			Files.writeString(root.resolve("hello.php"), "<?php echo 'hello';\n");
			return root;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
