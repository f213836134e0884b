package dev.lighttpdboot.secdownload.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.autoconfigure.ConfiguredRoot;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.secdownload.SecureDownloadMetrics;
import dev.lighttpdboot.secdownload.SecureDownloadWebFilter;
import dev.lighttpdboot.secdownload.SecureLinks;
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
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of secure download links: active when {@code lighttpd.secdownload.enabled} is true. A
 * missing secret or document root stops start-up with a report naming the property, where lighttpd would answer
 * 500 to every request.
 */
@AutoConfiguration(after = FilesAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty("lighttpd.secdownload.enabled")
@EnableConfigurationProperties(SecureDownloadProperties.class)
public final class SecureDownloadAutoConfiguration {

	private static final Log logger = LogFactory.getLog(SecureDownloadAutoConfiguration.class);

	private static final String PREFIX = "lighttpd.secdownload.";

	@Bean
	@ConditionalOnMissingBean
	SecureLinks lighttpdSecureLinks(SecureDownloadProperties properties) {
		if (!StringUtils.hasText(properties.getSecret())) {
			// The value is never echoed: this branch only runs when it is empty or blank.
			throw new InvalidConfigurationPropertyValueException(PREFIX + "secret", null,
					"it must be set (to a long random string) when " + PREFIX + "enabled is true");
		}
		String uriPrefix = properties.getUriPrefix();
		if (uriPrefix == null || !uriPrefix.startsWith("/")) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "uri-prefix", uriPrefix,
					"it must start with '/'");
		}
		if (properties.getTimeout() == null || properties.getTimeout().isNegative()) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "timeout", properties.getTimeout(),
					"it must not be negative");
		}
		if (properties.getPathSegments() < 0) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "path-segments",
					properties.getPathSegments(), "it must not be negative");
		}
		if (properties.getAlgorithm() == SecureLinks.Algorithm.MD5) {
			logger.warn(PREFIX + "algorithm is md5, lighttpd's original scheme, kept for links already handed out: "
					+ "md5 of a secret and a path is not a keyed MAC; set " + PREFIX + "algorithm=hmac-sha256");
		}
		return new SecureLinks(uriPrefix, properties.getAlgorithm(), properties.getSecret(), properties.getTimeout(),
				properties.getPathSegments(), properties.isHashQuerystr(), Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(FileDelivery.class)
	SecureDownloadWebFilter lighttpdSecureDownloadWebFilter(SecureDownloadProperties properties, SecureLinks links,
			FileDelivery delivery, FileSystemScheduler fileSystemScheduler,
			ObjectProvider<SecureDownloadMetrics> metrics, ObjectProvider<StatCache> statCache) {
		// Hidden files are never served through links, as in the static document root by default.
		FileRoot root = ConfiguredRoot.open(PREFIX + "document-root", properties.getDocumentRoot(), HiddenFiles.REFUSED,
				"the directory that links give access to when " + PREFIX + "enabled is true");
		return new SecureDownloadWebFilter(links, root, delivery,
				statCache.getIfAvailable(() -> StatCache.disabled(fileSystemScheduler)),
				metrics.getIfAvailable(() -> SecureDownloadMetrics.NONE));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SecureDownloadMetrics lighttpdSecureDownloadMetrics() {
			return new MicrometerSecureDownloadMetrics();
		}

	}

}
