package dev.lighttpdboot.uploadprogress.autoconfigure;

import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import dev.lighttpdboot.uploadprogress.RedisUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgress;
import dev.lighttpdboot.uploadprogress.UploadProgressEndpoint;
import dev.lighttpdboot.uploadprogress.UploadProgressMetrics;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class UploadProgressAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(UploadProgressAutoConfiguration.class));

	@Test
	void onByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(InMemoryUploadProgressStore.class);
			assertThat(context).hasSingleBean(UploadProgressEndpoint.class);
			assertThat(context).hasSingleBean(NettyServerCustomizer.class);
			assertThat(context).hasSingleBean(UploadProgressMetrics.class);
		});
	}

	@Test
	void offWhenDisabled() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(UploadProgressStore.class);
			assertThat(context).doesNotHaveBean(NettyServerCustomizer.class);
			assertThat(context).doesNotHaveBean(UploadProgressEndpoint.class);
		});
	}

	@Test
	void offOutsideAReactiveWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(UploadProgressAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(UploadProgressStore.class));
	}

	@Test
	void backsOffToAUserStore() {
		this.contextRunner.withBean("myStore", UploadProgressStore.class, NothingStore::new).run((context) -> {
			assertThat(context).hasSingleBean(UploadProgressStore.class).hasBean("myStore");
			assertThat(context).doesNotHaveBean(InMemoryUploadProgressStore.class);
			assertThat(context).hasSingleBean(UploadProgressEndpoint.class);
		});
	}

	@Test
	void worksWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasSingleBean(NettyServerCustomizer.class);
			assertThat(context).doesNotHaveBean(UploadProgressMetrics.class);
		});
	}

	@Test
	void aPathWithoutSlashStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.path=progress")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.upload-progress.path"));
	}

	@Test
	void aZeroCapStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.max-entries=0")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.upload-progress.max-entries"));
	}

	@Test
	void memoryStoreUnlessRedisIsAskedForEvenWithRedisOnTheClassPath() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(InMemoryUploadProgressStore.class)
				.doesNotHaveBean(RedisUploadProgressStore.class));
	}

	@Test
	void redisStoreWhenAskedFor() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("lighttpd.upload-progress.store=redis", "spring.data.redis.port=1")
			.run((context) -> {
				// Created without a connection: Redis is not needed to start.
				assertThat(context).hasSingleBean(RedisUploadProgressStore.class)
					.doesNotHaveBean(InMemoryUploadProgressStore.class);
				assertThat(context.getBean(UploadProgressEndpoint.class)).isNotNull();
			});
	}

	@Test
	void redisStoreWithoutSpringDataRedisStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.store=redis")
			.withClassLoader(new FilteredClassLoader(ReactiveStringRedisTemplate.class))
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.upload-progress.store")
				.hasMessageContaining("spring-boot-starter-data-redis"));
	}

	@Test
	void redisStoreWithoutAConnectionFactoryStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.store=redis")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.upload-progress.store")
				.hasMessageContaining("ReactiveRedisConnectionFactory"));
	}

	@Test
	void aZeroPublishIntervalStopsStartUp() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("lighttpd.upload-progress.store=redis",
					"lighttpd.upload-progress.redis.publish-interval=0")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.upload-progress.redis.publish-interval"));
	}

	@Test
	void anUnknownStoreStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.upload-progress.store=memcached")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("lighttpd.upload-progress.store"));
	}

	static class NothingStore implements UploadProgressStore {

		@Override
		public void start(String id, long size) {
		}

		@Override
		public void update(String id, long received) {
		}

		@Override
		public void done(String id, long received) {
		}

		@Override
		public void failed(String id, long received, int status) {
		}

		@Override
		public Mono<UploadProgress> find(String id) {
			return Mono.just(UploadProgress.STARTING);
		}

	}

}
