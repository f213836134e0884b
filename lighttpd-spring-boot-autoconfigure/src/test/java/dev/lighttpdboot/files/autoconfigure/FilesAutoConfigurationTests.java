package dev.lighttpdboot.files.autoconfigure;

import java.nio.file.Path;
import java.time.Instant;

import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.OpenFileCache;
import dev.lighttpdboot.files.SmallFileCache;
import dev.lighttpdboot.files.StatCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

class FilesAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class));

	@Test
	void providesTheDeliveryPath() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(FileDelivery.class);
			assertThat(context).hasSingleBean(ContentTypes.class);
			assertThat(context).hasSingleBean(FileSystemScheduler.class);
			assertThat(context).hasSingleBean(StatCache.class);
		});
	}

	@Test
	void refusesANegativeStatCacheValidity() {
		this.contextRunner.withPropertyValues("lighttpd.files.stat-cache-validity=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.files.stat-cache-validity"));
	}

	@Test
	void backsOffToAUserStatCache() {
		StatCache own = StatCache.disabled(new FileSystemScheduler(Schedulers.immediate()));
		this.contextRunner.withBean(StatCache.class, () -> own)
			.run((context) -> assertThat(context.getBean(StatCache.class)).isSameAs(own));
	}

	@Test
	void keepsSmallFilesInMemoryByDefault() {
		this.contextRunner.run((context) -> {
			SmallFileCache cache = context.getBean(SmallFileCache.class);
			assertThat(cache.maxFileSize()).isEqualTo(16 * 1024);
			assertThat(cache.accepts(snapshot(16 * 1024))).isTrue();
			assertThat(cache.accepts(snapshot(16 * 1024 + 1))).isFalse();
		});
	}

	@Test
	void memoryCacheLimitsAreConfigurable() {
		this.contextRunner
			.withPropertyValues("lighttpd.files.memory-cache.max-file-size=1KB",
					"lighttpd.files.memory-cache.max-total-size=512B")
			.run((context) -> assertThat(context.getBean(SmallFileCache.class).maxFileSize()).isEqualTo(512));
	}

	@Test
	void memoryCacheCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("lighttpd.files.memory-cache.enabled=false")
			.run((context) -> assertThat(context.getBean(SmallFileCache.class).accepts(snapshot(1))).isFalse());
	}

	@Test
	void refusesANegativeMemoryCacheSize() {
		this.contextRunner.withPropertyValues("lighttpd.files.memory-cache.max-total-size=-1B")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.files.memory-cache.max-total-size"));
	}

	@Test
	void disposesTheMemoryCacheOnClose() {
		SmallFileCache[] cache = new SmallFileCache[1];
		this.contextRunner.run((context) -> cache[0] = context.getBean(SmallFileCache.class));
		assertThat(cache[0].isDisposed()).isTrue();
	}

	@Test
	void keepsNoDescriptorOpenUnlessAskedTo() {
		this.contextRunner.run((context) -> assertThat(context.getBean(OpenFileCache.class).accepts(snapshot(1)))
			.isFalse());
		OpenFileCache[] cache = new OpenFileCache[1];
		this.contextRunner
			.withPropertyValues("lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.max-files=1")
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				cache[0] = context.getBean(OpenFileCache.class);
				assertThat(cache[0].accepts(snapshot(1))).isTrue();
				SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
				assertThat(registry.get("lighttpd.files.descriptors.gets").tag("result", "hit").functionCounter())
					.isNotNull();
				assertThat(registry.get("lighttpd.files.descriptors.entries").gauge().value()).isZero();
			});
		assertThat(cache[0].isDisposed()).isTrue();
	}

	@Test
	void refusesAnOpenFileCacheThatKeepsNothing() {
		this.contextRunner
			.withPropertyValues("lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.max-files=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.files.open-file-cache.max-files"));
		this.contextRunner
			.withPropertyValues("lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.inactive=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.files.open-file-cache.inactive"));
	}

	@Test
	void refusesCheckValiditiesThatCannotHold() {
		this.contextRunner.withPropertyValues("lighttpd.files.memory-cache.check-validity=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.files.memory-cache.check-validity"));
		// Trusted as long as a descriptor may stay unasked for, a file in constant use would be let go by each sweep.
		this.contextRunner
			.withPropertyValues("lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.inactive=20s", "lighttpd.files.open-file-cache.check-validity=20s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.files.open-file-cache.check-validity"));
		this.contextRunner
			.withPropertyValues("lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.inactive=20s", "lighttpd.files.open-file-cache.check-validity=19s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void bindsMemoryCacheMeters() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			assertThat(registry.get("lighttpd.files.memory.gets").tag("result", "hit").functionCounter().count())
				.isZero();
			assertThat(registry.get("lighttpd.files.memory.gets").tag("result", "miss").functionCounter()).isNotNull();
			assertThat(registry.get("lighttpd.files.memory.evictions").functionCounter()).isNotNull();
			assertThat(registry.get("lighttpd.files.memory.size").gauge().value()).isZero();
			assertThat(registry.get("lighttpd.files.memory.entries").gauge().value()).isZero();
		});
	}

	@Test
	void memoryCacheMetersNeedMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(SmallFileCache.class);
				assertThat(context).doesNotHaveBean(SmallFileCacheMeters.class);
			});
	}

	private static FileSnapshot snapshot(long size) {
		return new FileSnapshot(Path.of("/srv/a.txt"), size, Instant.EPOCH, false, "\"x\"", "inode", null);
	}

	@Test
	void appliesConfiguredContentTypes() {
		this.contextRunner.withPropertyValues("lighttpd.files.mime-types.flv=video/x-flv")
			.run((context) -> assertThat(context.getBean(ContentTypes.class).forFileName("a.flv"))
				.isEqualTo(MediaType.parseMediaType("video/x-flv")));
	}

	@Test
	void disposesItsSchedulerOnClose() {
		FileSystemScheduler[] scheduler = new FileSystemScheduler[1];
		this.contextRunner.run((context) -> scheduler[0] = context.getBean(FileSystemScheduler.class));
		assertThat(scheduler[0].isDisposed()).isTrue();
	}

	@Test
	void backsOffToUserBeans() {
		FileSystemScheduler own = new FileSystemScheduler(Schedulers.boundedElastic());
		this.contextRunner.withBean(FileSystemScheduler.class, () -> own)
			.run((context) -> assertThat(context.getBean(FileSystemScheduler.class)).isSameAs(own));
	}

	@Test
	void needsAReactiveWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(FileDelivery.class));
	}

}
