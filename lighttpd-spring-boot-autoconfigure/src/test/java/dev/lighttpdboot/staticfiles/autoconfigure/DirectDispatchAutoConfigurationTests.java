package dev.lighttpdboot.staticfiles.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.secdownload.SecureDownloadWebFilter;
import dev.lighttpdboot.staticfiles.DirectStaticFileWebFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

class DirectDispatchAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, StaticFilesAutoConfiguration.class,
				DirectDispatchAutoConfiguration.class));

	@TempDir
	Path documentRoot;

	@Test
	void offByDefault() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot)
			.run((context) -> assertThat(context).doesNotHaveBean(WebHttpHandlerBuilderCustomizer.class));
	}

	@Test
	void offWhenSetToWebflux() {
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot,
				"lighttpd.files.dispatch=webflux")
			.run((context) -> assertThat(context).doesNotHaveBean(WebHttpHandlerBuilderCustomizer.class));
	}

	@Test
	void directPutsSignedLinksThenTheDocumentRootAheadOfEveryOtherFilter() {
		WebFilter first = (exchange, chain) -> chain.filter(exchange);
		WebFilter last = (exchange, chain) -> chain.filter(exchange);
		SecureDownloadWebFilter signedLinks = mock(SecureDownloadWebFilter.class);
		this.contextRunner.withPropertyValues("lighttpd.document-root=" + this.documentRoot,
				"lighttpd.files.dispatch=direct")
			.run((context) -> {
				WebHttpHandlerBuilder builder = WebHttpHandlerBuilder.webHandler(mock(WebHandler.class))
					.filter(first, signedLinks, last);
				context.getBean(WebHttpHandlerBuilderCustomizer.class).customize(builder);
				List<WebFilter> filters = new ArrayList<>();
				builder.filters(filters::addAll);
				assertThat(filters).hasSize(4);
				assertThat(filters.get(0)).isSameAs(signedLinks);
				assertThat(filters.get(1)).isInstanceOf(DirectStaticFileWebFilter.class);
				assertThat(filters.subList(2, 4)).containsExactly(first, last);
			});
	}

	@Test
	void withoutADocumentRootOnlySignedLinksMove() {
		WebFilter first = (exchange, chain) -> Mono.empty();
		SecureDownloadWebFilter signedLinks = mock(SecureDownloadWebFilter.class);
		List<WebFilter> filters = new ArrayList<>(List.of(first, signedLinks));
		DirectDispatchAutoConfiguration.placeFirst(filters, null);
		assertThat(filters).containsExactly(signedLinks, first);
	}

}
