package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.time.Duration;

import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lighttpd.gateway.dispatch=netty}: a backend slower than the keep-alive timeout is waited for as on the
 * ordinary way, up to its read timeout. The keep-alive timeout is Reactor Netty's idle timeout of the connection,
 * which closes a connection that neither reads nor writes for that long; Reactor Netty takes it off while it
 * answers a request, and so must the pipeline while it calls a backend.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.gateway.dispatch=netty", "lighttpd.server.keep-alive-timeout=1s" })
class GatewayInThePipelineIdleTimeoutIntegrationTests extends RealServerTests {

	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2).maxRequests(20);

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "php");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> phpFpm.documentRoot().toString());
		// No lookup first: the first request is called from the pipeline.
		registry.add("lighttpd.gateway.routes[0].check-local", () -> "false");
		registry.add("lighttpd.gateway.routes[0].backends[0].address",
				() -> "127.0.0.1:" + phpFpm.address().getPort());
	}

	@BeforeAll
	static void writeScripts() {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
	}

	@Test
	void aBackendSlowerThanTheKeepAliveTimeoutIsWaitedFor() throws IOException {
		try (RawHttp.Connection connection = raw().open()) {
			RawHttp.Response late = connection.exchange("GET", "/slow.php?s=2", "");
			assertThat(late.status()).isEqualTo(200);
			assertThat(late.bodyText()).isEqualTo("late");
			// The connection is kept, its idle timeout back in place for the next request.
			assertThat(connection.exchange("GET", "/status.php?code=200", "").bodyText()).isEqualTo("status body");
			// That answer came from the pipeline too: the timeout was put back after it, and an idle connection goes.
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(connection::isClosedByPeer);
		}
	}

}
