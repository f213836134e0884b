package dev.lighttpdboot.actuate.autoconfigure;

import java.nio.file.Path;

import dev.lighttpdboot.actuate.GatewayPoolHealthIndicator;
import dev.lighttpdboot.actuate.GatewayPoolMeters;
import dev.lighttpdboot.actuate.LighttpdEndpoint;
import dev.lighttpdboot.actuate.UploadProgressStoreHealthIndicator;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration;
import dev.lighttpdboot.uploadprogress.autoconfigure.UploadProgressAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class LighttpdActuatorAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class,
				LighttpdActuatorAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@TempDir
	Path root;

	@Test
	void offWithoutPools() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(GatewayPoolMeters.class)
			.doesNotHaveBean("lighttpdHealthContributor").doesNotHaveBean(LighttpdEndpoint.class));
	}

	@Test
	void metersAndHealthWithAPool() {
		this.contextRunner.withPropertyValues(route()).run((context) -> {
			assertThat(context).hasSingleBean(GatewayPoolMeters.class).hasBean("lighttpdHealthContributor");
			assertThat(context.getBean(MeterRegistry.class).get("lighttpd.gateway.backend.state").tag("pool", "php")
				.tag("protocol", "fastcgi").gauge().value()).isEqualTo(1);
			// Not exposed unless asked for, as every actuator endpoint but health.
			assertThat(context).doesNotHaveBean(LighttpdEndpoint.class);
		});
	}

	@Test
	void metersAreRegisteredOnceWhenTheActuatorBindsThemToo(CapturedOutput output) {
		this.contextRunner.withPropertyValues(route()).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			// What Spring Boot's actuator does with every MeterBinder bean, after this project bound them.
			context.getBeanProvider(MeterBinder.class).orderedStream().forEach((binder) -> binder.bindTo(registry));
			assertThat(registry.find("lighttpd.gateway.backend.inflight").gauges()).hasSize(1);
			assertThat(registry.get("lighttpd.gateway.backend.inflight").tag("backend", "php-0").gauge()).isNotNull();
		});
		assertThat(output).doesNotContain("has been already registered");
	}

	@Test
	void endpointWhenExposed() {
		this.contextRunner.withPropertyValues(route())
			.withPropertyValues("management.endpoints.web.exposure.include=lighttpd")
			.run((context) -> assertThat(context).hasSingleBean(LighttpdEndpoint.class));
	}

	@Test
	void healthHasAMemberForTheUploadProgressStoreWithOrWithoutPools() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(UploadProgressAutoConfiguration.class))
			.run((context) -> assertThat(context.getBean("lighttpdHealthContributor",
					CompositeReactiveHealthContributor.class).getContributor("upload-progress"))
				.isInstanceOf(UploadProgressStoreHealthIndicator.class));
		this.contextRunner.withConfiguration(AutoConfigurations.of(UploadProgressAutoConfiguration.class))
			.withPropertyValues(route())
			.run((context) -> {
				CompositeReactiveHealthContributor lighttpd = context.getBean("lighttpdHealthContributor",
						CompositeReactiveHealthContributor.class);
				assertThat(lighttpd.getContributor("php")).isInstanceOf(GatewayPoolHealthIndicator.class);
				assertThat(lighttpd.getContributor("upload-progress"))
					.isInstanceOf(UploadProgressStoreHealthIndicator.class);
			});
	}

	@Test
	void healthOffWhenDisabled() {
		this.contextRunner.withPropertyValues(route()).withPropertyValues("management.health.lighttpd.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("lighttpdHealthContributor"));
	}

	@Test
	void healthBacksOffWithoutTheHealthModule() {
		this.contextRunner.withPropertyValues(route())
			.withClassLoader(new FilteredClassLoader(ReactiveHealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean("lighttpdHealthContributor")
				.hasSingleBean(GatewayPoolMeters.class));
	}

	private String[] route() {
		return new String[] { "lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9",
				// Nothing listens there: a check would disable the backend while a test reads its state.
				"lighttpd.gateway.routes[0].health-check.enabled=false" };
	}

}
