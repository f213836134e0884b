package dev.lighttpdboot.compression.autoconfigure;

import java.nio.file.Path;

import dev.lighttpdboot.compression.BundleHandlerMapping;
import dev.lighttpdboot.compression.BundleLinks;
import dev.lighttpdboot.compression.CompressedFileCache;
import dev.lighttpdboot.compression.CompressedRepresentations;
import dev.lighttpdboot.compression.CompressionWebFilter;
import dev.lighttpdboot.compression.ContentCoding;
import dev.lighttpdboot.compression.ContentEncoders;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.staticfiles.autoconfigure.StaticFilesAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class CompressionAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, CompressionAutoConfiguration.class,
				StaticFilesAutoConfiguration.class));

	@TempDir
	Path documentRoot;

	@Test
	void offByDefault() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot)
			.run((context) -> assertThat(context).doesNotHaveBean(CompressedRepresentations.class)
				.doesNotHaveBean(CompressedFileCache.class));
	}

	@Test
	void staticCompressionWithAllCodingsWhenEnabled() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot,
				"lighttpd.compression.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(CompressedRepresentations.class)
					.doesNotHaveBean(BundleHandlerMapping.class)
					.doesNotHaveBean(CompressionWebFilter.class);
				assertThat(context.getBean(ContentEncoders.class).codings())
					.containsExactly(ContentCoding.BR, ContentCoding.ZSTD, ContentCoding.GZIP);
			});
	}

	@Test
	void bundlesAndDynamicCompressionAreSwitchedOnApart() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot,
				"lighttpd.compression.enabled=true", "lighttpd.compression.bundles.enabled=true",
				"lighttpd.compression.dynamic.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(BundleHandlerMapping.class)
				.hasSingleBean(BundleLinks.class)
				.hasSingleBean(CompressionWebFilter.class));
	}

	@Test
	void codingsWhoseLibraryIsMissingAreLeftOut() {
		this.contextRunner.withPropertyValues("lighttpd.compression.enabled=true")
			.withClassLoader(new FilteredClassLoader("com.aayushatharva.brotli4j", "com.github.luben.zstd"))
			.run((context) -> assertThat(context.getBean(ContentEncoders.class).codings())
				.containsExactly(ContentCoding.GZIP));
	}

	@Test
	void unknownEncodingsStopStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("lighttpd.compression.enabled=true",
				"lighttpd.compression.encodings=gzip,deflate")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.compression.encodings"));
	}

	@Test
	void aConfiguredCacheDirectoryIsUsed() {
		Path cacheDir = this.documentRoot.resolve("cache");
		this.contextRunner.withPropertyValues("lighttpd.compression.enabled=true",
				"lighttpd.compression.cache-dir=" + cacheDir)
			.run((context) -> assertThat(context.getBean(CompressedFileCache.class).directory()).isEqualTo(cacheDir));
	}

}
