package dev.lighttpdboot.files.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.StreamingSeek;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;

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

	@Bean
	@ConditionalOnMissingBean
	FileDelivery lighttpdFileDelivery(ContentTypes contentTypes, FileSystemScheduler fileSystemScheduler,
			ObjectProvider<StreamingSeek> seeks) {
		return new FileDelivery(contentTypes, fileSystemScheduler, seeks.orderedStream().toList());
	}

}
