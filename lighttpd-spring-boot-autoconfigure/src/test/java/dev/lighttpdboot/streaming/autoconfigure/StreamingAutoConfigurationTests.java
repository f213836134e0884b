package dev.lighttpdboot.streaming.autoconfigure;

import java.util.List;

import dev.lighttpdboot.files.StreamingSeek;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.streaming.FlvSeek;
import dev.lighttpdboot.streaming.StreamingMetrics;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, StreamingAutoConfiguration.class));

	@Test
	void flvSeekingIsOnByDefault() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(StreamingSeek.class)
			.hasSingleBean(FlvSeek.class));
	}

	@Test
	void offWhenDisabled() {
		this.contextRunner.withPropertyValues("lighttpd.streaming.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(StreamingSeek.class));
	}

	@Test
	void backsOffToAUserSeek() {
		FlvSeek own = new FlvSeek(List.of(".video"), null, StreamingMetrics.NONE);
		this.contextRunner.withBean(FlvSeek.class, () -> own)
			.run((context) -> assertThat(context.getBean(FlvSeek.class)).isSameAs(own));
	}

}
