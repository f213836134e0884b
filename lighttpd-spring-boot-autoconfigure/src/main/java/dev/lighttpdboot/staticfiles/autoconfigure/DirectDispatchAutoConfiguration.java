package dev.lighttpdboot.staticfiles.autoconfigure;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.secdownload.SecureDownloadWebFilter;
import dev.lighttpdboot.secdownload.autoconfigure.SecureDownloadAutoConfiguration;
import dev.lighttpdboot.staticfiles.DirectStaticFileWebFilter;
import dev.lighttpdboot.staticfiles.StaticFileHandlerMapping;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of {@code lighttpd.files.dispatch=direct}: the signed-link filter and a
 * {@link DirectStaticFileWebFilter} are moved to the front of WebFlux's filter chain, ahead of every filter of the
 * application whatever its order (Spring Security's included), so GET and HEAD requests for the document root's
 * regular files and every request under the signed-link prefix are answered before any application filter or
 * handler sees them, except paths another handler of this starter claims ({@link PathClaim}: a gateway route's
 * scripts, the upload-progress endpoint), which keep their precedence over the document root. The exchange, its {@code http.server.requests} observation and the application's error
 * rendering stay as they are: only the filters and handler mappings are skipped.
 */
@AutoConfiguration(after = { StaticFilesAutoConfiguration.class, SecureDownloadAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(name = "lighttpd.files.dispatch", havingValue = "direct")
public final class DirectDispatchAutoConfiguration {

	@Bean
	WebHttpHandlerBuilderCustomizer lighttpdDirectDispatch(ObjectProvider<StaticFileHandlerMapping> documentRoot,
			ObjectProvider<PathClaim> claims) {
		StaticFileHandlerMapping mapping = documentRoot.getIfUnique();
		WebFilter direct = (mapping != null) ? new DirectStaticFileWebFilter(mapping, claims.orderedStream().toList())
				: null;
		return (builder) -> builder.filters((filters) -> placeFirst(filters, direct));
	}

	/**
	 * Move the signed-link filters to the front of {@code filters}, followed by {@code documentRoot}.
	 */
	static void placeFirst(List<WebFilter> filters, @Nullable WebFilter documentRoot) {
		List<WebFilter> first = new ArrayList<>();
		for (Iterator<WebFilter> each = filters.iterator(); each.hasNext();) {
			WebFilter filter = each.next();
			if (filter instanceof SecureDownloadWebFilter) {
				first.add(filter);
				each.remove();
			}
		}
		if (documentRoot != null) {
			first.add(documentRoot);
		}
		filters.addAll(0, first);
	}

}
