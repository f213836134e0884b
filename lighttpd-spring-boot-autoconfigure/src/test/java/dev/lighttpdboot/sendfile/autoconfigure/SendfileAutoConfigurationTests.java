package dev.lighttpdboot.sendfile.autoconfigure;

import java.nio.file.Path;

import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.sendfile.XSendfile;
import dev.lighttpdboot.sendfile.XSendfileWebFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class SendfileAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, SendfileAutoConfiguration.class));

	@TempDir
	Path root;

	@Test
	void onByDefault() {
		this.contextRunner.withPropertyValues("lighttpd.sendfile.allowed-roots=" + this.root).run((context) -> {
			assertThat(context).hasSingleBean(XSendfile.class);
			assertThat(context).hasSingleBean(XSendfileWebFilter.class);
		});
	}

	@Test
	void onWithoutRootsButRefusingEverything() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(XSendfileWebFilter.class));
	}

	@Test
	void offWhenDisabled() {
		this.contextRunner.withPropertyValues("lighttpd.sendfile.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(XSendfileWebFilter.class));
	}

	@Test
	void backsOffToAUserFilter() {
		this.contextRunner.withBean("myFilter", XSendfileWebFilter.class, () -> new XSendfileWebFilter(null, null))
			.run((context) -> assertThat(context).hasSingleBean(XSendfileWebFilter.class).hasBean("myFilter"));
	}

	@Test
	void aMissingRootStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.sendfile.allowed-roots=" + this.root.resolve("missing"))
			.run((context) -> assertThat(context).getFailure().rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.sendfile.allowed-roots"));
	}

	@Test
	void anUnknownHeaderStopsStartUp() {
		this.contextRunner.withPropertyValues("lighttpd.sendfile.headers=X-Sendfile,X-Nonsense")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.sendfile.headers"));
	}

}
