package dev.lighttpdboot.actuate;

import java.nio.file.Path;
import java.time.Duration;

import dev.lighttpdboot.actuate.autoconfigure.LighttpdActuatorAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration;
import dev.lighttpdboot.test.peers.Peers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code lighttpd} endpoint shows the processes a pool spawned (real php-cgi, Debian package {@code php-cgi}):
 * their pid, restarts and last exit, under the id of the backend each serves.
 */
class LighttpdEndpointSpawnIntegrationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class,
				LighttpdActuatorAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=lighttpd");

	@TempDir
	Path root;

	@Test
	void showsEachProcessAndItsRestartAfterItWasKilled() {
		Peers.require("php-cgi", Path.of("/usr/bin/php-cgi"));
		this.contextRunner
			.withPropertyValues("lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
					"lighttpd.gateway.routes[0].document-root=" + this.root,
					"lighttpd.gateway.routes[0].spawn.command=php-cgi,-b,{address}")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LighttpdEndpoint endpoint = context.getBean(LighttpdEndpoint.class);
				Awaitility.await("php-cgi ready").atMost(Duration.ofSeconds(20))
					.until(() -> endpoint.pool("php").processes().get(0).ready());
				LighttpdEndpoint.ProcessDescriptor first = endpoint.pool("php").processes().get(0);
				assertThat(first.backend()).isEqualTo("php-0");
				assertThat(first.address()).startsWith("unix:");
				assertThat(first.pid()).isPositive();
				assertThat(first.restarts()).isZero();
				assertThat(first.lastExitCode()).isNull();
				assertThat(endpoint.pool("php").route().extensions()).containsExactly(".php");
				ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
				Awaitility.await("php-cgi restarted").atMost(Duration.ofSeconds(20)).until(() -> {
					LighttpdEndpoint.ProcessDescriptor now = endpoint.pool("php").processes().get(0);
					return now.restarts() == 1 && now.ready();
				});
				LighttpdEndpoint.ProcessDescriptor restarted = endpoint.pool("php").processes().get(0);
				assertThat(restarted.pid()).isNotEqualTo(first.pid());
				assertThat(restarted.lastExitCode()).as("SIGKILL").isEqualTo(128 + 9);
			});
	}

}
