package dev.lighttpdboot.server.autoconfigure;

import dev.lighttpdboot.server.BodyTimeoutExceptionHandler;
import dev.lighttpdboot.server.RefusedMethodsWebFilter;
import dev.lighttpdboot.server.ServerLimits;
import dev.lighttpdboot.server.ServerLimitsPipeline;
import dev.lighttpdboot.server.ServerRefusals;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.netty.http.server.HttpServer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Auto-configuration of the server limits: timeouts, the connection cap, strict HTTP/1.1 checks and HTTP/2
 * limits on the embedded Reactor Netty server, and the refusal of CONNECT and TRACE.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(HttpServer.class)
@ConditionalOnBooleanProperty(name = "lighttpd.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ServerLimitsProperties.class)
public final class ServerLimitsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ServerLimitsPipeline lighttpdServerLimitsPipeline(ServerLimitsProperties properties,
			ObjectProvider<ServerRefusals> refusals) {
		ServerLimitsProperties.Http2 http2 = properties.getHttp2();
		ServerLimits limits = new ServerLimits(properties.getHeaderTimeout(), properties.getBodyTimeout(),
				properties.getKeepAliveTimeout(), properties.getSendTimeout(), properties.getMaxConnections(),
				properties.getMaxKeepAliveRequests(), properties.isStrictHttp(),
				properties.isConsolidateFlushes(), properties.getUnsentLimit().toBytes(),
				new ServerLimits.Http2(http2.getMaxConcurrentStreams(), http2.getMaxResetFrames(),
						http2.getResetFramesWindow()));
		return new ServerLimitsPipeline(limits, refusals.getIfAvailable(() -> ServerRefusals.NONE));
	}

	@Bean
	NettyServerCustomizer lighttpdServerLimits(ServerLimitsPipeline pipeline) {
		return new EarlyCustomizer(pipeline);
	}

	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> lighttpdServerHttp2Limits(ServerLimitsPipeline pipeline) {
		return new LateHttp2Customizer(pipeline);
	}

	@Bean
	@ConditionalOnMissingBean
	RefusedMethodsWebFilter lighttpdRefusedMethodsWebFilter(ObjectProvider<ServerRefusals> refusals) {
		return new RefusedMethodsWebFilter(refusals.getIfAvailable(() -> ServerRefusals.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	BodyTimeoutExceptionHandler lighttpdBodyTimeoutExceptionHandler(ObjectProvider<ServerRefusals> refusals) {
		return new BodyTimeoutExceptionHandler(refusals.getIfAvailable(() -> ServerRefusals.NONE));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ServerRefusals lighttpdServerRefusals() {
			return new MicrometerServerRefusals();
		}

	}

	/**
	 * Adds the HTTP/2 limits after every other server customizer, Spring Boot's included: Reactor Netty replaces
	 * the whole HTTP/2 settings object on each change, and Spring Boot sets one for the header size.
	 */
	private record LateHttp2Customizer(ServerLimitsPipeline pipeline)
			implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

		@Override
		public void customize(NettyReactiveWebServerFactory factory) {
			factory.addServerCustomizers(this.pipeline::applyHttp2Settings);
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

	/**
	 * Applied before the application's own customizers (and Spring Boot applies {@code server.netty.*} after all
	 * customizer beans), so settings made there replace these defaults.
	 */
	private record EarlyCustomizer(ServerLimitsPipeline pipeline) implements NettyServerCustomizer, Ordered {

		@Override
		public HttpServer apply(HttpServer server) {
			return this.pipeline.install(server);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

}
