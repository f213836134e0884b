package dev.lighttpdboot.staticfiles.autoconfigure;


import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.RepresentationSelector;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.autoconfigure.ConfiguredRoot;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesProperties;
import dev.lighttpdboot.staticfiles.StaticFileHandlerMapping;
import dev.lighttpdboot.staticfiles.StaticFileOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the static document root: active when {@code lighttpd.document-root} is set and
 * {@code lighttpd.static-files.enabled} is not false.
 */
@AutoConfiguration(after = FilesAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty("lighttpd.document-root")
@ConditionalOnBooleanProperty(name = "lighttpd.static-files.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ FilesProperties.class, StaticFilesProperties.class })
public final class StaticFilesAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(FileDelivery.class)
	StaticFileHandlerMapping lighttpdStaticFileHandlerMapping(FilesProperties files, StaticFilesProperties properties,
			FileDelivery delivery, FileSystemScheduler fileSystemScheduler, ObjectProvider<StatCache> statCache,
			ObjectProvider<RepresentationSelector> representations) {
		FileRoot root = ConfiguredRoot.open("lighttpd.document-root", files.getDocumentRoot(),
				HiddenFiles.allowedIf(properties.isServeHiddenFiles()), "the directory to serve at \"/\"");
		StaticFileHandlerMapping mapping = new StaticFileHandlerMapping(root, delivery, fileSystemScheduler,
				statCache.getIfAvailable(() -> StatCache.disabled(fileSystemScheduler)),
				StaticFileOptions.indexFiles(properties.getIndexFiles())
					.withDirectoryListing(properties.isDirListing())
					.withHiddenFiles(HiddenFiles.allowedIf(properties.isServeHiddenFiles())));
		representations.ifUnique(mapping::setRepresentationSelector);
		return mapping;
	}

}
