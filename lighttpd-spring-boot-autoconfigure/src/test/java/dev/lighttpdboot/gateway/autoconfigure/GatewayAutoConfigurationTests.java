package dev.lighttpdboot.gateway.autoconfigure;

import java.nio.file.Path;
import java.util.List;

import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.gateway.GatewayHandlerMapping;
import dev.lighttpdboot.gateway.GatewayRoutes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class));

	@TempDir
	Path root;

	@Test
	void offWithoutRoutes() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(GatewayHandlerMapping.class));
	}

	@Test
	void onWithARoute() {
		this.contextRunner.withPropertyValues(route()).run((context) -> {
			assertThat(context).hasSingleBean(GatewayHandlerMapping.class);
			assertThat(context.getBean(GatewayRoutes.class).route("php").pool().backend(0).name()).isEqualTo("127.0.0.1:9");
		});
	}

	@Test
	void offWhenDisabled() {
		this.contextRunner.withPropertyValues(route()).withPropertyValues("lighttpd.gateway.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GatewayHandlerMapping.class));
	}

	@Test
	void backsOffToAUserMapping() {
		this.contextRunner.withPropertyValues(route())
			.withBean("myMapping", GatewayHandlerMapping.class,
					() -> new GatewayHandlerMapping(List.of(), null, null, null, null, null, null, null))
			.run((context) -> assertThat(context).hasSingleBean(GatewayHandlerMapping.class).hasBean("myMapping"));
	}

	@Test
	void misconfigurationsStopStartUpNamingTheProperty() {
		assertFailure("lighttpd.gateway.routes[0].backends", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].extensions=.php", "lighttpd.gateway.routes[0].document-root=" + this.root);
		assertFailure("lighttpd.gateway.routes[0].extensions", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000");
		assertFailure("lighttpd.gateway.routes[0].backends[0].address", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].extensions=.php", "lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=nonsense");
		assertFailure("lighttpd.gateway.routes[0].name", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000");
		assertFailure("lighttpd.gateway.routes[0].document-root", "lighttpd.gateway.routes[0].name=php",
				"lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000");
	}

	private void assertFailure(String property, String... properties) {
		this.contextRunner.withPropertyValues(properties).run((context) -> assertThat(context).getFailure()
			.rootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining(property));
	}

	private String[] route() {
		return new String[] { "lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
				"lighttpd.gateway.routes[0].document-root=" + this.root,
				"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9" };
	}

}
