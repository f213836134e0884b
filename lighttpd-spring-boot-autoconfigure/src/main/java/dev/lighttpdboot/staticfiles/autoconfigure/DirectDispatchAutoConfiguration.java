package dev.lighttpdboot.staticfiles.autoconfigure;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import dev.lighttpdboot.accesslog.FormattedAccessLogFactory;
import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.files.PrefixedFileLookup;
import dev.lighttpdboot.gateway.route.GatewayInThePipeline;
import dev.lighttpdboot.secdownload.SecureDownloadWebFilter;
import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.secdownload.autoconfigure.SecureDownloadAutoConfiguration;
import dev.lighttpdboot.staticfiles.DirectStaticFileWebFilter;
import dev.lighttpdboot.staticfiles.KeptFileAnswers;
import dev.lighttpdboot.staticfiles.KeptFileChannelHandler;
import dev.lighttpdboot.staticfiles.StaticFileHandlerMapping;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of {@code lighttpd.files.dispatch=direct} (and {@code netty}, which includes it): the signed-link filter and a
 * {@link DirectStaticFileWebFilter} are moved to the front of WebFlux's filter chain, ahead of every filter of the
 * application whatever its order (Spring Security's included), so GET and HEAD requests for the document root's
 * regular files and every request under the signed-link prefix are answered before any application filter or
 * handler sees them, except paths another handler of this starter claims ({@link PathClaim}: a gateway route's
 * scripts, the upload-progress endpoint), which keep their precedence over the document root. The exchange, its {@code http.server.requests} observation and the application's error
 * rendering stay as they are: only the filters and handler mappings are skipped.
 */
@AutoConfiguration(after = { StaticFilesAutoConfiguration.class, SecureDownloadAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@Conditional(DirectDispatchAutoConfiguration.AheadOfTheApplication.class)
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

	/**
	 * {@code lighttpd.files.dispatch=netty}: a {@link KeptFileChannelHandler} in every HTTP/1.1 connection's
	 * pipeline, just before Reactor Netty's HTTP traffic handler. The document root's mapping is asked for only when
	 * the first connection arrives, after the context has started: the web server's customizers are made before
	 * most beans. With {@code spring.webflux.base-path} set nothing is added: the handler would see paths outside
	 * the base path, which WebFlux answers 404. With the access log on, the handler writes a line for each of its
	 * answers in the access log's format.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HttpServer.class)
	@ConditionalOnProperty(name = "lighttpd.files.dispatch", havingValue = "netty")
	static class KeptFilesInThePipeline {

		private static final String BASE_PATH = "spring.webflux.base-path";

		private static final Log logger = LogFactory.getLog(KeptFilesInThePipeline.class);

		@Bean
		NettyServerCustomizer lighttpdKeptFilesInThePipeline(ObjectProvider<StaticFileHandlerMapping> documentRoot,
				ObjectProvider<PathClaim> claims, ObjectProvider<SecureLinks> links,
				ObjectProvider<PrefixedFileLookup> prefixed, ObjectProvider<FormattedAccessLogFactory> accessLog,
				ObjectProvider<GatewayInThePipeline> gateway, Environment environment) {
			if (StringUtils.hasText(environment.getProperty(BASE_PATH))) {
				// The pipeline sees the whole request path, and a base path is WebFlux's to strip and to enforce.
				logger.info("lighttpd.files.dispatch=netty answers nothing in the pipeline with " + BASE_PATH
						+ " set: requests go the direct way");
				return (server) -> server;
			}
			SingletonSupplier<KeptFileAnswers> answers = SingletonSupplier.ofNullable(() -> {
				StaticFileHandlerMapping mapping = documentRoot.getIfUnique();
				if (mapping == null) {
					return null;
				}
				List<PathClaim> all = new ArrayList<>(claims.orderedStream().toList());
				// Under the signed-link prefix only the signed-link filter decides; its lookup, when there is one.
				links.ifUnique((secureLinks) -> all.add((path) -> path.startsWith(secureLinks.uriPrefix())));
				return mapping.keptFileAnswers(all, prefixed.orderedStream().toList());
			});
			// With lighttpd.gateway.dispatch=netty, the same handler calls the gateway's backends.
			SingletonSupplier<GatewayInThePipeline> calls = SingletonSupplier.ofNullable(gateway::getIfUnique);
			return (server) -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
				FormattedAccessLogFactory lines = accessLog.getIfUnique();
				KeptFileChannelHandler.addTo(channel.pipeline(), answers.get(), calls.get(),
						(lines != null) ? lines::log : null);
			});
		}

	}

	/**
	 * {@code lighttpd.files.dispatch} is {@code direct} or {@code netty}.
	 */
	static final class AheadOfTheApplication extends AnyNestedCondition {

		AheadOfTheApplication() {
			super(ConfigurationPhase.PARSE_CONFIGURATION);
		}

		@ConditionalOnProperty(name = "lighttpd.files.dispatch", havingValue = "direct")
		static final class Direct {

		}

		@ConditionalOnProperty(name = "lighttpd.files.dispatch", havingValue = "netty")
		static final class Netty {

		}

	}

}
