package dev.lighttpdboot.actuate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.lighttpdboot.actuate.autoconfigure.LighttpdActuatorAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool's health follows a real php-fpm that is killed and restarted while no request comes: the background
 * checks find out, not the next user.
 */
class GatewayPoolHealthIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Path ROOT = root();

	@RegisterExtension
	final PhpFpm php = PhpFpm.onFreePort(ROOT).children(1);

	private final Path root = ROOT;

	@AfterAll
	static void deleteRoot() throws IOException {
		FileSystemUtils.deleteRecursively(ROOT);
	}

	private static Path root() {
		try {
			return Files.createTempDirectory("pool-health-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class,
				LighttpdActuatorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class));

	@Test
	void downWhenPhpFpmDiesAndUpWhenItIsBackWithoutAnyRequest() {
		this.contextRunner.withPropertyValues(route()).run((context) -> {
			assertThat(context).hasNotFailed();
			awaitPoolStatus(context, Status.UP);
			this.php.kill();
			awaitPoolStatus(context, Status.DOWN);
			assertThat(backend(context).state()).isEqualTo(PoolBackend.State.DISABLED);
			this.php.restart();
			awaitPoolStatus(context, Status.UP);
			assertThat(backend(context).state()).isEqualTo(PoolBackend.State.ACTIVE);
			assertThat(backend(context).requests()).as("no request was sent").isZero();
		});
	}

	@Test
	void aPoolLeftOutOfTheOverallStatusStillShowsInItsGroup() {
		this.contextRunner.withPropertyValues(route())
			.withPropertyValues("lighttpd.gateway.routes[0].health-check.affects-overall-status=false",
					"management.endpoint.health.group.php.include=lighttpd/php")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				HealthEndpoint health = context.getBean(HealthEndpoint.class);
				this.php.kill();
				Awaitility.await("group php DOWN").atMost(WAIT)
					.until(() -> health.healthForPath("php").getStatus(), Status.DOWN::equals);
				assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			});
	}

	@Test
	void withoutHealthChecksOnlyRequestsFindOut() {
		this.contextRunner.withPropertyValues(route())
			.withPropertyValues("lighttpd.gateway.routes[0].health-check.enabled=false")
			.run((context) -> {
				this.php.kill();
				GatewayPool pool = context.getBean(GatewayPools.class).get("php");
				// Longer than several check intervals: nothing changes without a request.
				Awaitility.await().during(Duration.ofSeconds(1)).atMost(WAIT)
					.until(() -> pool.backend(0).state() == PoolBackend.State.ACTIVE);
			});
	}

	private void awaitPoolStatus(AssertableReactiveWebApplicationContext context, Status status) {
		HealthEndpoint health = context.getBean(HealthEndpoint.class);
		Awaitility.await("pool php " + status).atMost(WAIT).until(() -> {
			HealthDescriptor php = health.healthForPath("lighttpd", "php");
			return (php != null) ? php.getStatus() : null;
		}, status::equals);
	}

	private static PoolBackend backend(AssertableReactiveWebApplicationContext context) {
		return context.getBean(GatewayPools.class).get("php").backend(0);
	}

	private String[] route() {
		return new String[] { "lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:" + this.php.address().getPort(),
				"lighttpd.gateway.routes[0].disable-time=300ms",
				"lighttpd.gateway.routes[0].health-check.interval=300ms",
				"management.endpoint.health.show-details=always" };
	}

}
