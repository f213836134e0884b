package dev.lighttpdboot.streaming.autoconfigure;

import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.RegionWriter;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.streaming.FlvSeek;
import dev.lighttpdboot.streaming.StreamingMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of pseudo-streaming seeks, which {@link FilesAutoConfiguration} hands to the file-delivery
 * path so that every feature that sends files can seek.
 */
@AutoConfiguration(after = FilesAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "lighttpd.streaming.enabled", matchIfMissing = true)
@EnableConfigurationProperties(StreamingProperties.class)
public final class StreamingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	FlvSeek lighttpdFlvSeek(StreamingProperties properties, FileSystemScheduler fileSystemScheduler,
			ObjectProvider<StreamingMetrics> metrics) {
		return new FlvSeek(properties.getFlvExtensions(), new RegionWriter(fileSystemScheduler),
				metrics.getIfAvailable(() -> StreamingMetrics.NONE));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		StreamingMetrics lighttpdStreamingMetrics() {
			return new MicrometerStreamingMetrics();
		}

	}

}
