package dev.lighttpdboot.uploadprogress.autoconfigure;

import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgressEndpoint;
import dev.lighttpdboot.uploadprogress.UploadProgressMetrics;
import dev.lighttpdboot.uploadprogress.UploadProgressPipeline;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of upload progress: the byte counter in Reactor Netty's pipeline, the in-memory store and
 * the JSON/JSONP/SSE endpoint.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "lighttpd.upload-progress.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UploadProgressProperties.class)
public final class UploadProgressAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	UploadProgressStore lighttpdUploadProgressStore(UploadProgressProperties properties) {
		if (properties.getMaxEntries() < 1) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.upload-progress.max-entries",
					properties.getMaxEntries(), "at least one upload must fit");
		}
		return new InMemoryUploadProgressStore(properties.getRetention(), properties.getMaxEntries());
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
	@ConditionalOnMissingBean
	UploadProgressPipeline lighttpdUploadProgressPipeline(UploadProgressStore store,
			ObjectProvider<UploadProgressMetrics> metrics) {
		return new UploadProgressPipeline(store, metrics.getIfAvailable(() -> UploadProgressMetrics.NONE));
	}

	@Bean
	NettyServerCustomizer lighttpdUploadProgressCounter(UploadProgressPipeline pipeline) {
		return pipeline::install;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		UploadProgressMetrics lighttpdUploadProgressMetrics(ObjectProvider<MeterRegistry> registry) {
			return new MicrometerUploadProgressMetrics(registry);
		}

	}

}
