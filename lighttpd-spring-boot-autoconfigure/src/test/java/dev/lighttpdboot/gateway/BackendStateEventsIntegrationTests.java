package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.lighttpdboot.actuate.LighttpdEndpoint;
import dev.lighttpdboot.actuate.autoconfigure.LighttpdActuatorAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.gateway.BackendStateChangedEvent.Cause;
import dev.lighttpdboot.gateway.BackendStateChangedEvent.Status;
import dev.lighttpdboot.gateway.PoolBackend.Hold;
import dev.lighttpdboot.gateway.PoolBackend.State;
import dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Backend state changes reach the application as {@link BackendStateChangedEvent}s: a real php-fpm killed and
 * restarted (found out by the background checks, no request sent), and an operator's holds through the
 * {@code lighttpd} actuator endpoint.
 */
class BackendStateEventsIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Path ROOT = root();

	@RegisterExtension
	final PhpFpm php = PhpFpm.onFreePort(ROOT).children(1);

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class,
				LighttpdActuatorAutoConfiguration.class))
		.withUserConfiguration(EventsConfiguration.class);

	@AfterAll
	static void deleteRoot() throws IOException {
		FileSystemUtils.deleteRecursively(ROOT);
	}

	private static Path root() {
		try {
			return Files.createTempDirectory("backend-events-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void phpFpmKilledThenRestartedIsTwoEvents() {
		this.contextRunner.withPropertyValues(route()).run((context) -> {
			assertThat(context).hasNotFailed();
			Events events = context.getBean(Events.class);
			String address = "127.0.0.1:" + this.php.address().getPort();
			// Checked once at start and found up: no change, no event.
			Awaitility.await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> events.received.isEmpty());

			this.php.kill();
			BackendStateChangedEvent down = awaitEvent(events, 0);
			assertThat(down).extracting(BackendStateChangedEvent::pool, BackendStateChangedEvent::backend,
					BackendStateChangedEvent::address, BackendStateChangedEvent::from, BackendStateChangedEvent::to,
					BackendStateChangedEvent::cause)
				.containsExactly("php", "php-0", address, new Status(State.ACTIVE, Hold.NONE),
						new Status(State.DISABLED, Hold.NONE), Cause.CHECK);
			assertThat(down.reason()).startsWith("check failed");
			assertThat(down.to().serving()).isFalse();

			this.php.restart();
			BackendStateChangedEvent up = awaitEvent(events, 1);
			assertThat(up).extracting(BackendStateChangedEvent::backend, BackendStateChangedEvent::from,
					BackendStateChangedEvent::to, BackendStateChangedEvent::cause)
				.containsExactly("php-0", new Status(State.PROBING, Hold.NONE), new Status(State.ACTIVE, Hold.NONE),
						Cause.CHECK);
			assertThat(up.to().serving()).isTrue();
			// The failed probes while it was down were not changes.
			assertThat(events.received).hasSize(2);
		});
	}

	@Test
	void anOperatorsHoldsThroughTheEndpointAreEvents() {
		this.contextRunner.withPropertyValues(route())
			.withPropertyValues("management.endpoints.web.exposure.include=lighttpd")
			.run((context) -> {
				Events events = context.getBean(Events.class);
				LighttpdEndpoint endpoint = context.getBean(LighttpdEndpoint.class);
				endpoint.backend("php", "php-0", "drain");
				endpoint.backend("php", "php-0", "drain");
				endpoint.backend("php", "0", "disable");
				endpoint.backend("php", "php-0", "enable");
				assertThat(events.received).extracting(BackendStateChangedEvent::from, BackendStateChangedEvent::to)
					.containsExactly(tuple(status(Hold.NONE), status(Hold.DRAIN)),
							tuple(status(Hold.DRAIN), status(Hold.DISABLE)), tuple(status(Hold.DISABLE), status(Hold.NONE)));
				assertThat(events.received).extracting(BackendStateChangedEvent::cause).containsOnly(Cause.OPERATOR);
			});
	}

	private static Status status(Hold hold) {
		return new Status(State.ACTIVE, hold);
	}

	private static BackendStateChangedEvent awaitEvent(Events events, int index) {
		Awaitility.await("event " + index).atMost(WAIT).until(() -> events.received.size() > index);
		return events.received.get(index);
	}

	private String[] route() {
		return new String[] { "lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + ROOT,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:" + this.php.address().getPort(),
				"lighttpd.gateway.routes[0].disable-time=300ms",
				"lighttpd.gateway.routes[0].health-check.interval=300ms" };
	}

	@Configuration(proxyBeanMethods = false)
	static class EventsConfiguration {

		@Bean
		Events events() {
			return new Events();
		}

	}

	static class Events {

		final List<BackendStateChangedEvent> received = new CopyOnWriteArrayList<>();

		@EventListener
		void on(BackendStateChangedEvent event) {
			this.received.add(event);
		}

	}

}
