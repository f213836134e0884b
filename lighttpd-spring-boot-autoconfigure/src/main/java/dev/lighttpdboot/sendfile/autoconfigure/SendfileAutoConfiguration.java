package dev.lighttpdboot.sendfile.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.RegionWriter;
import dev.lighttpdboot.files.autoconfigure.ConfiguredRoot;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesProperties;
import dev.lighttpdboot.sendfile.AccelLocations;
import dev.lighttpdboot.sendfile.AllowedRoots;
import dev.lighttpdboot.sendfile.SendfileHeaders;
import dev.lighttpdboot.sendfile.SendfileMetrics;
import dev.lighttpdboot.sendfile.XSendfile;
import dev.lighttpdboot.sendfile.XSendfileWebFilter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of X-Sendfile for the application's handlers.
 */
@AutoConfiguration(after = FilesAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "lighttpd.sendfile.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ SendfileProperties.class, FilesProperties.class })
public final class SendfileAutoConfiguration {

	private static final Log logger = LogFactory.getLog(SendfileAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(FileDelivery.class)
	XSendfile lighttpdXSendfile(SendfileProperties properties, FilesProperties files, FileDelivery delivery,
			FileSystemScheduler fileSystemScheduler, ObjectProvider<SendfileMetrics> metrics) {
		SendfileHeaders headers;
		try {
			headers = new SendfileHeaders(properties.getHeaders());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.sendfile.headers", properties.getHeaders(),
					ex.getMessage());
		}
		return new XSendfile(headers, allowedRoots(properties, files), accelLocations(properties), delivery,
				fileSystemScheduler, metrics.getIfAvailable(() -> SendfileMetrics.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(XSendfile.class)
	XSendfileWebFilter lighttpdXSendfileWebFilter(XSendfile xSendfile, FileSystemScheduler fileSystemScheduler) {
		return new XSendfileWebFilter(xSendfile, new RegionWriter(fileSystemScheduler));
	}

	private static AllowedRoots allowedRoots(SendfileProperties properties, FilesProperties files) {
		List<Path> directories = new ArrayList<>(properties.getAllowedRoots());
		String property = "lighttpd.sendfile.allowed-roots";
		if (directories.isEmpty() && files.getDocumentRoot() != null) {
			directories.add(files.getDocumentRoot());
			property = "lighttpd.document-root";
		}
		if (directories.isEmpty()) {
			logger.warn("X-Sendfile is enabled but lighttpd.sendfile.allowed-roots (and lighttpd.document-root) are "
					+ "not set: every X-Sendfile path will be refused with 403");
		}
		List<FileRoot> roots = new ArrayList<>();
		for (Path directory : directories) {
			// The application names sendfile paths, not the client: hidden names are allowed below a root.
			roots.add(ConfiguredRoot.open(property, directory, HiddenFiles.ALLOWED, "an allowed root"));
		}
		return new AllowedRoots(roots);
	}

	private static AccelLocations accelLocations(SendfileProperties properties) {
		Map<String, FileRoot> locations = new LinkedHashMap<>();
		properties.getAccelLocations().forEach((prefix, directory) -> {
			if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
				// Spring Boot drops the slashes of a map key that is not in brackets: "/p/" binds as "p".
				throw new InvalidConfigurationPropertyValueException("lighttpd.sendfile.accel-locations", prefix,
						"a prefix must start and end with '/' (so that it matches whole segments); in YAML write it in "
								+ "brackets: \"[/protected/]\": /srv/files");
			}
			// The application names sendfile paths, not the client: hidden names are allowed below a root.
			locations.put(prefix, ConfiguredRoot.open("lighttpd.sendfile.accel-locations", directory,
					HiddenFiles.ALLOWED, "the directory of the prefix"));
		});
		return new AccelLocations(locations);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SendfileMetrics lighttpdSendfileMetrics() {
			return new MicrometerSendfileMetrics();
		}

	}

}
