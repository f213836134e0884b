package dev.lighttpdboot.actuate.autoconfigure;

import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import dev.lighttpdboot.uploadprogress.autoconfigure.UploadProgressAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * The statistics of the Caffeine caches (hits, misses, evictions, size) as Micrometer's {@code cache.*} meters,
 * tagged {@code cache=lighttpd.stat-cache} and {@code cache=lighttpd.upload-progress}.
 */
@AutoConfiguration(after = { FilesAutoConfiguration.class, UploadProgressAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, CaffeineCacheMetrics.class })
public final class CacheMetricsAutoConfiguration {

	static final String STAT_CACHE = "lighttpd.stat-cache";

	static final String UPLOAD_PROGRESS = "lighttpd.upload-progress";

	@Bean
	SmartInitializingSingleton lighttpdCacheMetricsBinding(ObjectProvider<StatCache> statCache,
			ObjectProvider<UploadProgressStore> uploadProgressStore, ObjectProvider<MeterRegistry> registry) {
		// Bound once every singleton exists, with Micrometer alone as with the actuator's registries.
		return () -> registry.ifAvailable((meters) -> {
			statCache.ifAvailable((cache) -> monitor(meters, cache.nativeCache(), STAT_CACHE));
			uploadProgressStore.ifAvailable((store) -> {
				if (store instanceof InMemoryUploadProgressStore memory) {
					monitor(meters, memory.nativeCache(), UPLOAD_PROGRESS);
				}
			});
		});
	}

	private static <K, V> void monitor(MeterRegistry registry, Cache<K, V> cache, String name) {
		new CaffeineCacheMetrics<>(cache, name, List.of()).bindTo(registry);
	}

}
