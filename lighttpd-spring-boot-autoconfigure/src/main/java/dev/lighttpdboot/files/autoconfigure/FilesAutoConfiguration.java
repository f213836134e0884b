package dev.lighttpdboot.files.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.OpenFileCache;
import dev.lighttpdboot.files.SmallFileCache;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.StreamingSeek;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration of the file-delivery path that every file-sending feature uses.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(FilesProperties.class)
public final class FilesAutoConfiguration {

	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean
	FileSystemScheduler lighttpdFileSystemScheduler(FilesProperties properties) {
		FilesProperties.Files files = properties.getFiles();
		return new FileSystemScheduler(files.getIoThreads(), files.getIoQueueSize());
	}

	@Bean
	@ConditionalOnMissingBean
	StatCache lighttpdStatCache(FilesProperties properties, FileSystemScheduler fileSystemScheduler) {
		FilesProperties.Files files = properties.getFiles();
		if (files.getStatCacheValidity().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.files.stat-cache-validity",
					files.getStatCacheValidity(), "it must not be negative (0 turns the cache off)");
		}
		return new StatCache(fileSystemScheduler, files.getStatCacheValidity(), files.getStatCacheSize());
	}

	@Bean
	@ConditionalOnMissingBean
	ContentTypes lighttpdContentTypes(FilesProperties properties) {
		Map<String, MediaType> mappings = new LinkedHashMap<>();
		properties.getFiles().getMimeTypes().forEach((extension, type) -> mappings.put(extension, MediaType.parseMediaType(type)));
		return new ContentTypes(mappings, properties.getFiles().getTextCharset());
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean
	SmallFileCache lighttpdSmallFileCache(FilesProperties properties) {
		FilesProperties.MemoryCache memoryCache = properties.getFiles().getMemoryCache();
		if (!memoryCache.isEnabled()) {
			// Its own instance, not the shared disabled one: the context disposes what it gets.
			return new SmallFileCache(0, 0);
		}
		for (Map.Entry<String, DataSize> limit : Map.of("max-file-size", memoryCache.getMaxFileSize(),
				"max-total-size", memoryCache.getMaxTotalSize()).entrySet()) {
			if (limit.getValue().isNegative()) {
				throw new InvalidConfigurationPropertyValueException("lighttpd.files.memory-cache." + limit.getKey(),
						limit.getValue(), "it must not be negative (0 keeps no file in memory)");
			}
		}
		if (memoryCache.getCheckValidity().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.files.memory-cache.check-validity",
					memoryCache.getCheckValidity(), "it must not be negative (0 checks for every request)");
		}
		return new SmallFileCache(memoryCache.getMaxFileSize().toBytes(), memoryCache.getMaxTotalSize().toBytes(),
				memoryCache.getCheckValidity());
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean
	OpenFileCache lighttpdOpenFileCache(FilesProperties properties, FileSystemScheduler fileSystemScheduler) {
		FilesProperties.OpenFileCache openFileCache = properties.getFiles().getOpenFileCache();
		if (!openFileCache.isEnabled()) {
			// Its own instance, not the shared disabled one: the context disposes what it gets.
			return new OpenFileCache(0, Duration.ZERO);
		}
		if (openFileCache.getMaxFiles() < 1) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.files.open-file-cache.max-files",
					openFileCache.getMaxFiles(), "it must be at least 1 (enabled=false keeps no descriptor)");
		}
		if (openFileCache.getInactive().isNegative() || openFileCache.getInactive().isZero()) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.files.open-file-cache.inactive",
					openFileCache.getInactive(), "it must be positive (enabled=false keeps no descriptor)");
		}
		Duration checkValidity = openFileCache.getCheckValidity();
		if (checkValidity.isNegative() || checkValidity.compareTo(openFileCache.getInactive()) >= 0) {
			// A descriptor is asked for, as far as the sweep knows, when a check begins: with checks trusted
			// longer than the inactive time, a file in constant use would be let go by every sweep.
			throw new InvalidConfigurationPropertyValueException("lighttpd.files.open-file-cache.check-validity",
					checkValidity, "it must not be negative (0 checks for every request) and must be shorter than "
							+ "lighttpd.files.open-file-cache.inactive");
		}
		OpenFileCache cache = new OpenFileCache(openFileCache.getMaxFiles(), openFileCache.getInactive(),
				checkValidity);
		cache.sweepOn(fileSystemScheduler.scheduler());
		return cache;
	}

	@Bean
	@ConditionalOnMissingBean
	FileDelivery lighttpdFileDelivery(ContentTypes contentTypes, FileSystemScheduler fileSystemScheduler,
			ObjectProvider<StreamingSeek> seeks, SmallFileCache smallFileCache, OpenFileCache openFileCache) {
		return new FileDelivery(contentTypes, fileSystemScheduler, seeks.orderedStream().toList(), smallFileCache,
				openFileCache);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class SmallFileCacheMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SmallFileCacheMeters lighttpdSmallFileCacheMeters(SmallFileCache smallFileCache) {
			// Binds itself once, to the actuator's registry or the only one there is (see OnceBoundMeters).
			return new SmallFileCacheMeters(smallFileCache);
		}

		@Bean
		@ConditionalOnMissingBean
		OpenFileCacheMeters lighttpdOpenFileCacheMeters(OpenFileCache openFileCache) {
			return new OpenFileCacheMeters(openFileCache);
		}

	}

}
