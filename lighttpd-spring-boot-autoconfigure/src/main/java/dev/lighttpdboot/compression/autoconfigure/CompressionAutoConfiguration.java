package dev.lighttpdboot.compression.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.compression.BundleHandlerMapping;
import dev.lighttpdboot.compression.BundleLinks;
import dev.lighttpdboot.compression.CompressedFileCache;
import dev.lighttpdboot.compression.CompressedRepresentations;
import dev.lighttpdboot.compression.CompressionPolicy;
import dev.lighttpdboot.compression.CompressionWebFilter;
import dev.lighttpdboot.compression.ContentCoding;
import dev.lighttpdboot.compression.ContentEncoders;
import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.autoconfigure.ConfiguredRoot;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesProperties;
import dev.lighttpdboot.staticfiles.autoconfigure.StaticFilesAutoConfiguration;
import dev.lighttpdboot.staticfiles.autoconfigure.StaticFilesProperties;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.http.MediaType;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Auto-configuration of compression: active when {@code lighttpd.compression.enabled} is true. Static files of
 * the document root are then sent compressed from a cache directory or from precompressed siblings.
 */
@AutoConfiguration(after = FilesAutoConfiguration.class, before = StaticFilesAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty("lighttpd.compression.enabled")
@EnableConfigurationProperties(CompressionProperties.class)
public final class CompressionAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ContentEncoders lighttpdContentEncoders(CompressionProperties properties, ResourceLoader resourceLoader) {
		return ContentEncoders.detect(resourceLoader.getClassLoader(), codings(properties), properties.getGzipLevel(), properties.getBrotliQuality(),
				properties.getZstdLevel());
	}

	@Bean
	@ConditionalOnMissingBean
	CompressionPolicy lighttpdCompressionPolicy(CompressionProperties properties) {
		List<MediaType> types = new ArrayList<>();
		for (String type : properties.getMimeTypes()) {
			types.add(MediaType.parseMediaType(type));
		}
		return new CompressionPolicy(types, properties.getMinSize().toBytes(), properties.getMaxSize().toBytes());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnBean(FileSystemScheduler.class)
	CompressedFileCache lighttpdCompressedFileCache(CompressionProperties properties,
			FileSystemScheduler fileSystemScheduler) {
		try {
			return CompressedFileCache.open(properties.getCacheDir(), properties.getCacheMaxSize().toBytes(),
					fileSystemScheduler);
		}
		catch (IOException | UnsupportedOperationException ex) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.compression.cache-dir",
					properties.getCacheDir(), "the cache directory could not be created or taken over with mode 0700 ("
							+ ex + ")");
		}
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean({ ContentTypes.class, FileSystemScheduler.class })
	CompressedRepresentations lighttpdCompressedRepresentations(CompressionProperties properties,
			ContentEncoders encoders, CompressionPolicy policy, ContentTypes contentTypes, CompressedFileCache cache,
			FileSystemScheduler fileSystemScheduler) {
		List<ContentCoding> siblings = properties.isPrecompressed() ? codings(properties) : List.of();
		return new CompressedRepresentations(encoders, siblings, policy, contentTypes, cache, fileSystemScheduler,
				properties.getPrecompressedCheckInterval());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty("lighttpd.compression.dynamic.enabled")
	CompressionWebFilter lighttpdCompressionWebFilter(CompressionProperties properties, ContentEncoders encoders,
			CompressionPolicy policy) {
		return new CompressionWebFilter(encoders, policy,
				properties.getDynamic().getPaths().stream().map(PathPatternParser.defaultInstance::parse).toList());
	}

	/**
	 * Bundles ({@code /dir/??a.js,b.js}) from the document root.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("lighttpd.compression.bundles.enabled")
	@ConditionalOnProperty("lighttpd.document-root")
	@EnableConfigurationProperties({ FilesProperties.class, StaticFilesProperties.class })
	static class BundlesConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(FileDelivery.class)
		BundleHandlerMapping lighttpdBundleHandlerMapping(CompressionProperties properties, FilesProperties files,
				StaticFilesProperties staticFiles, StatCache statCache, ContentTypes contentTypes,
				CompressedFileCache cache, CompressedRepresentations representations, FileDelivery delivery,
				FileSystemScheduler fileSystemScheduler) {
			CompressionProperties.Bundles bundles = properties.getBundles();
			if (bundles.getMaxFiles() < 1) {
				throw new InvalidConfigurationPropertyValueException("lighttpd.compression.bundles.max-files",
						bundles.getMaxFiles(), "a bundle holds at least one file");
			}
			List<MediaType> types = bundles.getTypes().stream().map(MediaType::parseMediaType).toList();
			return new BundleHandlerMapping(documentRoot(files, staticFiles), statCache, contentTypes, cache,
					representations, delivery, fileSystemScheduler, bundles.getMaxFiles(), types,
					bundles.getDelimiter(), staticFiles.isServeHiddenFiles());
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(FileSystemScheduler.class)
		BundleLinks lighttpdBundleLinks(FilesProperties files, StaticFilesProperties staticFiles,
				FileSystemScheduler fileSystemScheduler, Environment environment) {
			return new BundleLinks(documentRoot(files, staticFiles), fileSystemScheduler,
					environment.getProperty("spring.webflux.base-path", ""));
		}

		private static FileRoot documentRoot(FilesProperties files, StaticFilesProperties staticFiles) {
			return ConfiguredRoot.open("lighttpd.document-root", files.getDocumentRoot(),
					HiddenFiles.allowedIf(staticFiles.isServeHiddenFiles()), "the directory that bundles are read from");
		}

	}

	private static List<ContentCoding> codings(CompressionProperties properties) {
		List<ContentCoding> codings = new ArrayList<>();
		for (String token : properties.getEncodings()) {
			ContentCoding coding = ContentCoding.forToken(token);
			if (coding == null) {
				throw new InvalidConfigurationPropertyValueException("lighttpd.compression.encodings", token,
						"known encodings are gzip, br and zstd");
			}
			if (!codings.contains(coding)) {
				codings.add(coding);
			}
		}
		return codings;
	}

}
