package dev.lighttpdboot.uploadprogress.autoconfigure;

import java.time.Duration;

import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgressEndpoint;
import dev.lighttpdboot.uploadprogress.UploadProgressMetrics;
import dev.lighttpdboot.uploadprogress.UploadProgressPipeline;
import dev.lighttpdboot.uploadprogress.RedisUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Auto-configuration of upload progress: the byte counter in Reactor Netty's pipeline, the store (in memory, or in
 * Redis with {@code lighttpd.upload-progress.store=redis}) and the JSON/JSONP/SSE endpoint.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "lighttpd.upload-progress.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UploadProgressProperties.class)
public final class UploadProgressAutoConfiguration {

	private static final String STORE = "lighttpd.upload-progress.store";

	private static final String REDIS_TEMPLATE = "org.springframework.data.redis.core.ReactiveStringRedisTemplate";

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	UploadProgressStore lighttpdUploadProgressStore(UploadProgressProperties properties) {
		return new InMemoryUploadProgressStore(properties.getRetention(), maxEntries(properties));
	}

	private static int maxEntries(UploadProgressProperties properties) {
		if (properties.getMaxEntries() < 1) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.upload-progress.max-entries",
					properties.getMaxEntries(), "at least one upload must fit");
		}
		return properties.getMaxEntries();
	}

	@Bean
	@ConditionalOnMissingBean
	UploadProgressEndpoint lighttpdUploadProgressEndpoint(UploadProgressProperties properties,
			UploadProgressStore store) {
		String path = properties.getPath();
		if (path == null || !path.startsWith("/")) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.upload-progress.path", path,
					"the path must start with '/'");
		}
		return new UploadProgressEndpoint(path, store, properties.getEventInterval(),
				properties.getEventIdleTimeout());
	}

	@Bean
	static ProgressPathClashCheck lighttpdUploadProgressPathClashCheck(ObjectProvider<UploadProgressEndpoint> endpoint,
			ObjectProvider<RequestMappingHandlerMapping> controllers,
			ObjectProvider<RouterFunctionMapping> routerFunctions) {
		return new ProgressPathClashCheck(endpoint, controllers, routerFunctions);
	}

	@Bean
	@ConditionalOnMissingBean
	UploadProgressPipeline lighttpdUploadProgressPipeline(UploadProgressStore store,
			ObjectProvider<UploadProgressMetrics> metrics) {
		return new UploadProgressPipeline(store, metrics.getIfAvailable(() -> UploadProgressMetrics.NONE));
	}

	@Bean
	NettyServerCustomizer lighttpdUploadProgressCounter(UploadProgressPipeline pipeline) {
		return pipeline::install;
	}

	/**
	 * The Redis store, only when asked for: the application's Spring Data Redis connection factory (Lettuce, set up
	 * by Spring Boot from {@code spring.data.redis.*}).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnClass(name = REDIS_TEMPLATE)
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean
		UploadProgressStore lighttpdUploadProgressStore(UploadProgressProperties properties,
				ObjectProvider<ReactiveRedisConnectionFactory> connectionFactory) {
			ReactiveRedisConnectionFactory factory = connectionFactory.getIfUnique();
			if (factory == null) {
				throw new InvalidConfigurationPropertyValueException(STORE, "redis",
						"the Redis store needs one ReactiveRedisConnectionFactory bean, as Spring Boot's Redis "
								+ "auto-configuration makes (spring.data.redis.*), and there is none or several");
			}
			UploadProgressProperties.Redis redis = properties.getRedis();
			atLeastOneMillisecond("lighttpd.upload-progress.redis.publish-interval", redis.getPublishInterval());
			atLeastOneMillisecond("lighttpd.upload-progress.redis.timeout", redis.getTimeout());
			return new RedisUploadProgressStore(new ReactiveStringRedisTemplate(factory), redis.getKeyPrefix(),
					properties.getRetention(), maxEntries(properties), redis.getPublishInterval(), redis.getTimeout());
		}

	}

	private static void atLeastOneMillisecond(String property, Duration value) {
		if (value == null || value.toMillis() < 1) {
			throw new InvalidConfigurationPropertyValueException(property, value, "it must be at least 1ms");
		}
	}

	/**
	 * {@code store=redis} without Spring Data Redis: a start-up failure that says what to add, not a silent
	 * fall-back to a store that each node keeps for itself.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnMissingClass(REDIS_TEMPLATE)
	static class MissingRedisConfiguration {

		@Bean
		@ConditionalOnMissingBean
		UploadProgressStore lighttpdUploadProgressStore() {
			throw new InvalidConfigurationPropertyValueException(STORE, "redis",
					"Spring Data Redis is not on the class path; add org.springframework.boot:"
							+ "spring-boot-starter-data-redis");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		UploadProgressMetrics lighttpdUploadProgressMetrics() {
			return new MicrometerUploadProgressMetrics();
		}

	}

}
