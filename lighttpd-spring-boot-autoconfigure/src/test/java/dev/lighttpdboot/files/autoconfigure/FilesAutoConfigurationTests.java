package dev.lighttpdboot.files.autoconfigure;

import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.StatCache;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
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
