package dev.lighttpdboot.server.autoconfigure;

import java.time.Duration;

import dev.lighttpdboot.server.BodyTimeoutExceptionHandler;
import dev.lighttpdboot.server.RefusedMethodsWebFilter;
import dev.lighttpdboot.server.ServerLimitsPipeline;
import dev.lighttpdboot.server.ServerRefusals;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.netty.http.Http2SettingsSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerConfig;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ServerLimitsAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ServerLimitsAutoConfiguration.class,
				NettyReactiveWebServerAutoConfiguration.class));

	@Test
	void nginxDefaultsReachTheServer() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ServerLimitsPipeline.class);
			assertThat(context).hasSingleBean(RefusedMethodsWebFilter.class);
			assertThat(context).hasSingleBean(BodyTimeoutExceptionHandler.class);
			HttpServerConfig config = configuredServer(context);
			assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(75));
			assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(60));
			assertThat(config.maxKeepAliveRequests()).isEqualTo(1000);
			Http2SettingsSpec http2 = config.http2SettingsSpec();
			assertThat(http2.maxConcurrentStreams()).isEqualTo(128);
			assertThat(http2.maxDecodedRstFramesPerWindow()).isEqualTo(200);
			assertThat(http2.maxDecodedRstFramesSecondsPerWindow()).isEqualTo(30);
			// Spring Boot's own HTTP/2 setting survives the merge.
			assertThat(http2.maxHeaderListSize()).isEqualTo(8192);
		});
	}

	@Test
	void springBootsNettyPropertiesWin() {
		this.contextRunner
			.withPropertyValues("server.netty.idle-timeout=5s", "server.netty.max-keep-alive-requests=7",
					"lighttpd.server.keep-alive-timeout=30s", "lighttpd.server.max-keep-alive-requests=50")
			.run((context) -> {
				HttpServerConfig config = configuredServer(context);
				assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
				assertThat(config.maxKeepAliveRequests()).isEqualTo(7);
			});
	}

	@Test
	void theApplicationsOwnCustomizersWin() {
		this.contextRunner
			.withBean("mine", NettyServerCustomizer.class,
					() -> (server) -> server.idleTimeout(Duration.ofSeconds(9))
						.http2Settings((settings) -> settings.maxConcurrentStreams(64)))
			.run((context) -> {
				HttpServerConfig config = configuredServer(context);
				assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(9));
				assertThat(config.http2SettingsSpec().maxConcurrentStreams()).isEqualTo(64);
			});
	}

	@Test
	void propertiesChangeTheLimits() {
		this.contextRunner
			.withPropertyValues("lighttpd.server.keep-alive-timeout=20s", "lighttpd.server.body-timeout=0",
					"lighttpd.server.http2.max-concurrent-streams=32", "lighttpd.server.http2.max-reset-frames=50",
					"lighttpd.server.http2.reset-frames-window=10s")
			.run((context) -> {
				HttpServerConfig config = configuredServer(context);
				assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(20));
				assertThat(config.readTimeout()).isNull();
				assertThat(config.http2SettingsSpec().maxConcurrentStreams()).isEqualTo(32);
				assertThat(config.http2SettingsSpec().maxDecodedRstFramesPerWindow()).isEqualTo(50);
				assertThat(config.http2SettingsSpec().maxDecodedRstFramesSecondsPerWindow()).isEqualTo(10);
			});
	}

	@Test
	void offWhenDisabled() {
		this.contextRunner.withPropertyValues("lighttpd.server.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ServerLimitsPipeline.class);
			assertThat(context).doesNotHaveBean(RefusedMethodsWebFilter.class);
			assertThat(configuredServer(context).idleTimeout()).isNull();
		});
	}

	@Test
	void offOutsideAReactiveWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ServerLimitsAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ServerLimitsPipeline.class));
	}

	@Test
	void refusalsAreCountedOnceRegisteredPerReason() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			ServerRefusals refusals = context.getBean(ServerRefusals.class);
			refusals.refused(ServerRefusals.HOST);
			refusals.refused(ServerRefusals.HOST);
			refusals.refused(ServerRefusals.SEND_TIMEOUT);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("lighttpd.server.refused").tag("reason", "host").counter().count()).isEqualTo(2);
			assertThat(meters.get("lighttpd.server.refused").tag("reason", "send-timeout").counter().count())
				.isEqualTo(1);
		});
	}

	@Test
	void worksWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasSingleBean(ServerLimitsPipeline.class);
			assertThat(context).doesNotHaveBean(ServerRefusals.class);
		});
	}

	private static HttpServerConfig configuredServer(AssertableReactiveWebApplicationContext context) {
		NettyReactiveWebServerFactory factory = context.getBean(NettyReactiveWebServerFactory.class);
		HttpServer server = HttpServer.create();
		for (NettyServerCustomizer customizer : factory.getServerCustomizers()) {
			server = customizer.apply(server);
		}
		return server.configuration();
	}

}
