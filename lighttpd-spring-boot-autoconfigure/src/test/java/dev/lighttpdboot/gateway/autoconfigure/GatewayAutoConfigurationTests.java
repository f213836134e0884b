package dev.lighttpdboot.gateway.autoconfigure;

import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayProtocol;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import dev.lighttpdboot.gateway.route.GatewayHandlerMapping;
import dev.lighttpdboot.gateway.route.GatewayRoutes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebHandler;

import static dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration.MicrometerConfiguration.MeterObservationConfiguration.recordsLongTaskTimers;
import static org.assertj.core.api.Assertions.assertThat;

class GatewayAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class));

	@TempDir
	Path root;

	@Test
	void offWithoutRoutes() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(GatewayHandlerMapping.class));
	}

	@Test
	void onWithARoute() {
		this.contextRunner.withPropertyValues(route()).run((context) -> {
			assertThat(context).hasSingleBean(GatewayHandlerMapping.class);
			assertThat(context.getBean(GatewayRoutes.class).route("php").pool().backend(0).name()).isEqualTo("127.0.0.1:9");
		});
	}

	@Test
	void theGatewaysMeterHandlerRecordsLongTaskTimersUnlessBootsHandlerIgnoresThem() {
		assertThat(recordsLongTaskTimers(new MockEnvironment())).isTrue();
		assertThat(recordsLongTaskTimers(new MockEnvironment()
			.withProperty("management.metrics.observations.ignored-meters", "long-task-timer"))).isFalse();
		assertThat(recordsLongTaskTimers(new MockEnvironment()
			.withProperty("management.metrics.observations.ignored-meters[0]", "LONG_TASK_TIMER"))).isFalse();
	}

	@Test
	void offWhenDisabled() {
		this.contextRunner.withPropertyValues(route()).withPropertyValues("lighttpd.gateway.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GatewayHandlerMapping.class));
	}

	@Test
	void backsOffToAUserMapping() {
		this.contextRunner.withPropertyValues(route())
			.withBean("myMapping", GatewayHandlerMapping.class,
					() -> new GatewayHandlerMapping(List.of(), null, null, null, null, null, null))
			.run((context) -> assertThat(context).hasSingleBean(GatewayHandlerMapping.class).hasBean("myMapping"));
	}

	@Test
	void theRoutesProtocolPluginServesItAndARouteOfANonCgiProtocolNeedsNoDocumentRoot() {
		List<GatewayRequest> received = new CopyOnWriteArrayList<>();
		GatewayProtocol plugin = new GatewayProtocol() {

			@Override
			public String name() {
				return "fastcgi";
			}

			@Override
			public boolean cgi() {
				return false;
			}

			@Override
			public GatewayBackend backend(String name, SocketAddress address, BackendOptions options) {
				return new GatewayBackend() {

					@Override
					public String name() {
						return name;
					}

					@Override
					public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
						received.add(request);
						return Mono.just(new GatewayResponse(new CgiResponseHead(HttpStatus.ACCEPTED, new HttpHeaders()),
								Flux.empty()));
					}

					@Override
					public Mono<Void> dispose() {
						return Mono.empty();
					}

				};
			}

		};
		this.contextRunner.withBean(GatewayProtocol.class, () -> plugin)
			// Nothing listens on the address: the background connect check would rest the plug-in's backend.
			.withPropertyValues("lighttpd.gateway.routes[0].name=app", "lighttpd.gateway.routes[0].path-prefix=/app/",
					"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9",
					"lighttpd.gateway.routes[0].health-check.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MockServerWebExchange exchange = MockServerWebExchange
					.from(MockServerHttpRequest.method(HttpMethod.GET, URI.create("/app/x/%7Ey?q=1")).header("X-Mixed-Case", "v"));
				GatewayHandlerMapping mapping = context.getBean(GatewayHandlerMapping.class);
				WebHandler handler = (WebHandler) mapping.getHandler(exchange).block(Duration.ofSeconds(5));
				handler.handle(exchange).block(Duration.ofSeconds(5));
				assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
				assertThat(received).singleElement().satisfies((request) -> {
					assertThat(request.method()).isEqualTo(HttpMethod.GET);
					assertThat(request.rawTarget()).isEqualTo("/app/x/%7Ey?q=1");
					assertThat(request.balanceKey()).isEqualTo("/app/x/%7Ey");
					assertThat(request.headers().getFirst("X-Mixed-Case")).isEqualTo("v");
					assertThat(request.script()).isNull();
				});
			});
	}

	@Test
	void misconfigurationsStopStartUpNamingTheProperty() {
		assertFailure("lighttpd.gateway.routes[0].backends", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].extensions=.php", "lighttpd.gateway.routes[0].document-root=" + this.root);
		assertFailure("lighttpd.gateway.routes[0].extensions", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000");
		assertFailure("lighttpd.gateway.routes[0].backends[0].address", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].extensions=.php", "lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=nonsense");
		assertFailure("lighttpd.gateway.routes[0].name", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000");
		assertFailure("lighttpd.gateway.routes[0].document-root", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000");
		assertFailure("lighttpd.gateway.routes[0].ajp13.packet-size", "lighttpd.gateway.routes[0].name=java",
				"lighttpd.gateway.routes[0].protocol=ajp13", "lighttpd.gateway.routes[0].path-prefix=/java/",
				"lighttpd.gateway.routes[0].ajp13.packet-size=4KB",
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:8009");
	}

	private void assertFailure(String property, String... properties) {
		this.contextRunner.withPropertyValues(properties).run((context) -> assertThat(context).getFailure()
			.rootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining(property));
	}

	private String[] route() {
		return new String[] { "lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9" };
	}

}
