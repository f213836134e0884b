package dev.lighttpdboot.staticfiles.autoconfigure;

import java.nio.file.Path;
import java.util.List;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.staticfiles.StaticFileHandlerMapping;
import dev.lighttpdboot.staticfiles.StaticFileOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class StaticFilesAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, StaticFilesAutoConfiguration.class));

	@TempDir
	Path documentRoot;

	@Test
	void servesTheDocumentRootWhenSet() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot)
			.run((context) -> assertThat(context).hasSingleBean(StaticFileHandlerMapping.class));
	}

	@Test
	void staysOffWithoutADocumentRoot() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(StaticFileHandlerMapping.class));
	}

	@Test
	void staysOffWhenDisabled() {
		this.contextRunner
			.withPropertyValues("lighttpd.document-root=" + this.documentRoot, "lighttpd.static-files.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(StaticFileHandlerMapping.class));
	}

	@Test
	void backsOffToAUserMapping() throws Exception {
		FileRoot root = FileRoot.open(this.documentRoot, false);
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot)
			.withBean("myMapping", StaticFileHandlerMapping.class,
					() -> new StaticFileHandlerMapping(root, null, null, null,
							StaticFileOptions.indexFiles(List.of())))
			.run((context) -> {
				assertThat(context).hasSingleBean(StaticFileHandlerMapping.class);
				assertThat(context).hasBean("myMapping");
			});
	}

	@Test
	void aMissingDocumentRootStopsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot.resolve("missing"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.document-root"));
	}

	@Test
	void usesTheSharedDeliveryPath() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot).run((context) -> {
			assertThat(context).hasSingleBean(FileDelivery.class);
			assertThat(context).hasSingleBean(FileSystemScheduler.class);
		});
	}

}
