package dev.lighttpdboot.actuate.autoconfigure;

import java.nio.file.Path;

import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import dev.lighttpdboot.uploadprogress.autoconfigure.UploadProgressAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class CacheMetricsAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, UploadProgressAutoConfiguration.class,
				CacheMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@TempDir
	Path root;

	@Test
	void statisticsOfBothCachesAreMeters() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(StatCache.class);
			assertThat(context.getBean(UploadProgressStore.class)).isInstanceOf(InMemoryUploadProgressStore.class);
			InMemoryUploadProgressStore store = (InMemoryUploadProgressStore) context.getBean(UploadProgressStore.class);
			store.start("a", 10);
			store.progress("a");
			store.progress("b");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("cache.gets").tag("cache", "lighttpd.upload-progress").tag("result", "hit")
				.functionCounter().count()).isEqualTo(1);
			assertThat(registry.get("cache.gets").tag("cache", "lighttpd.upload-progress").tag("result", "miss")
				.functionCounter().count()).isGreaterThanOrEqualTo(1);
			assertThat(registry.get("cache.size").tag("cache", "lighttpd.stat-cache").gauge().value()).isZero();
		});
	}

	@Test
	void offWithoutCaffeineMetrics() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer.core.instrument.binder.cache"))
			.run((context) -> assertThat(context).doesNotHaveBean("lighttpdCacheMetricsBinding"));
	}

}
