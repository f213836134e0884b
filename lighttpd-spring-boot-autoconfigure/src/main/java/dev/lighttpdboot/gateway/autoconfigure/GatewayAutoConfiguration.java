package dev.lighttpdboot.gateway.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.lighttpdboot.accesslog.FormattedAccessLogFactory;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.files.autoconfigure.ConfiguredRoot;
import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.files.autoconfigure.FilesProperties;
import dev.lighttpdboot.gateway.BackendStateChangedEvent;
import dev.lighttpdboot.gateway.BackendStateListener;
import dev.lighttpdboot.gateway.GatewayMeterObservationHandler;
import dev.lighttpdboot.gateway.GatewayMetrics;
import dev.lighttpdboot.gateway.GatewayObservationConvention;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.GatewayProtocol;
import dev.lighttpdboot.gateway.ajp13.Ajp13Protocol;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.gateway.cgi.ScriptResolver;
import dev.lighttpdboot.gateway.fastcgi.FastCgiProtocol;
import dev.lighttpdboot.gateway.http.HttpProtocol;
import dev.lighttpdboot.gateway.route.GatewayHandlerMapping;
import dev.lighttpdboot.gateway.route.GatewayInThePipeline;
import dev.lighttpdboot.gateway.route.GatewayRoute;
import dev.lighttpdboot.gateway.route.GatewayRoutes;
import dev.lighttpdboot.gateway.route.RouteMatcher;
import dev.lighttpdboot.gateway.scgi.ScgiProtocol;
import dev.lighttpdboot.gateway.spool.RequestBodySpool;
import dev.lighttpdboot.gateway.spool.ResponseBodyBuffer;
import dev.lighttpdboot.gateway.spool.ResponseBufferPolicy;
import dev.lighttpdboot.sendfile.XSendfile;
import dev.lighttpdboot.sendfile.autoconfigure.SendfileAutoConfiguration;
import dev.lighttpdboot.staticfiles.KeptFileChannelHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration of gateway routes ({@code lighttpd.gateway.routes}): active when at least one route is
 * configured.
 */
@AutoConfiguration(after = { FilesAutoConfiguration.class, SendfileAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "lighttpd.gateway.enabled", matchIfMissing = true)
@Conditional(OnGatewayRoutesCondition.class)
@EnableConfigurationProperties({ GatewayProperties.class, FilesProperties.class })
public final class GatewayAutoConfiguration {

	@Bean
	GatewayLifecycle lighttpdGatewayLifecycle() {
		return new GatewayLifecycle();
	}

	@Bean
	@ConditionalOnMissingBean
	GatewayRoutes lighttpdGatewayRoutes(GatewayProperties properties, FilesProperties files,
			ObjectProvider<GatewayMetrics> metrics, ObjectProvider<ObservationRegistry> observations,
			ObjectProvider<GatewayObservationConvention> convention, GatewayLifecycle lifecycle,
			ObjectProvider<GatewayProtocol> protocols, ObjectProvider<ApplicationEventPublisher> events) {
		CgiEnvironment environment = new CgiEnvironment();
		List<GatewayProtocol> available = new ArrayList<>(protocols.orderedStream().toList());
		available.add(new FastCgiProtocol(environment));
		available.add(new ScgiProtocol(environment));
		available.add(new Ajp13Protocol());
		available.add(new HttpProtocol());
		GatewayMetrics gatewayMetrics = metrics.getIfAvailable(() -> GatewayMetrics.NONE);
		GatewayPoolFactory pools = new GatewayPoolFactory(gatewayMetrics, lifecycle, available,
				observations.getIfAvailable(gatewayMetrics::observationRegistry), convention.getIfAvailable(),
				stateListener(events.getIfAvailable()));
		List<GatewayRoute> routes = new ArrayList<>();
		try {
			for (int i = 0; i < properties.getRoutes().size(); i++) {
				routes.add(route("lighttpd.gateway.routes[" + i + "]", properties.getRoutes().get(i), files, pools));
			}
		}
		catch (RuntimeException ex) {
			// The pools built so far own threads and socket directories: close them before giving up.
			new GatewayPools(routes.stream().map(GatewayRoute::pool).toList()).dispose();
			throw ex;
		}
		return new GatewayRoutes(routes);
	}

	/**
	 * Backend state changes as application events, so that an {@code @EventListener} of
	 * {@link BackendStateChangedEvent} hears of them as the log does.
	 */
	private static BackendStateListener stateListener(@Nullable ApplicationEventPublisher events) {
		return (events != null) ? events::publishEvent : BackendStateListener.NONE;
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean
	GatewayPools lighttpdGatewayPools(GatewayRoutes routes) {
		return new GatewayPools(routes.routes().stream().map(GatewayRoute::pool).toList());
	}

	@Bean
	@ConditionalOnMissingBean
	GatewayHandlerMapping lighttpdGatewayHandlerMapping(GatewayRoutes routes, GatewayProperties properties,
			FileSystemScheduler fileSystemScheduler, ObjectProvider<StatCache> statCache,
			ObjectProvider<XSendfile> xSendfile, ObjectProvider<GatewayMetrics> metrics) {
		Path spoolDirectory = (properties.getSpoolDirectory() != null) ? properties.getSpoolDirectory()
				: Path.of(System.getProperty("java.io.tmpdir"));
		return new GatewayHandlerMapping(routes.routes(), new RequestBodySpool(fileSystemScheduler, spoolDirectory),
				fileSystemScheduler,
				statCache.getIfAvailable(() -> StatCache.disabled(fileSystemScheduler)), xSendfile.getIfAvailable(),
				metrics.getIfAvailable(() -> GatewayMetrics.NONE),
				new ResponseBodyBuffer(fileSystemScheduler, spoolDirectory));
	}

	/**
	 * {@code lighttpd.gateway.dispatch=netty}: the gateway's backends called from every HTTP/1.1 connection's
	 * pipeline, by the handler that {@code lighttpd.files.dispatch=netty} installs for files (with that setting,
	 * its installer adds the gateway's calls; without it, this one installs the handler for the gateway alone).
	 * The gateway's mapping is asked for only when the first connection arrives, after the context has started.
	 * With {@code spring.webflux.base-path} set nothing is added: the pipeline would see paths outside the base
	 * path.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HttpServer.class)
	@ConditionalOnProperty(name = "lighttpd.gateway.dispatch", havingValue = "netty")
	static class GatewayInThePipelineConfiguration {

		private static final Log logger = LogFactory.getLog(GatewayInThePipelineConfiguration.class);

		@Bean
		@ConditionalOnMissingBean
		GatewayInThePipeline lighttpdGatewayInThePipeline(GatewayHandlerMapping mapping) {
			return new GatewayInThePipeline(mapping);
		}

		@Bean
		NettyServerCustomizer lighttpdGatewayInThePipelineInstaller(ObjectProvider<GatewayInThePipeline> gateway,
				ObjectProvider<FormattedAccessLogFactory> accessLog, Environment environment) {
			if ("netty".equalsIgnoreCase(environment.getProperty("lighttpd.files.dispatch"))) {
				return (server) -> server;
			}
			if (StringUtils.hasText(environment.getProperty("spring.webflux.base-path"))) {
				logger.info("lighttpd.gateway.dispatch=netty calls no backend from the pipeline with "
						+ "spring.webflux.base-path set: requests go through WebFlux");
				return (server) -> server;
			}
			SingletonSupplier<GatewayInThePipeline> calls = SingletonSupplier.ofNullable(gateway::getIfUnique);
			return (server) -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
				FormattedAccessLogFactory lines = accessLog.getIfUnique();
				KeptFileChannelHandler.addTo(channel.pipeline(), null, calls.get(), (lines != null) ? lines::log : null);
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {


		@Bean
		@ConditionalOnMissingBean
		GatewayMetrics lighttpdGatewayMetrics(ObjectProvider<GatewayPools> pools) {
			return new MicrometerGatewayMetrics(pools);
		}

		/**
		 * The meters of backend calls, kept per combination of tags, ahead of Spring Boot's meter handler (which
		 * records every other observation). Left to Boot's handler when Micrometer Tracing is present, whose
		 * handler adds exemplars to the timers.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
		@ConditionalOnMissingClass("io.micrometer.tracing.Tracer")
		static class MeterObservationConfiguration {

			@Bean
			@ConditionalOnMissingBean
			@Order(Ordered.HIGHEST_PRECEDENCE)
			GatewayMeterObservationHandler lighttpdGatewayMeterObservationHandler(
					ObjectProvider<MeterRegistry> registry, Environment environment) {
				return new GatewayMeterObservationHandler(registry.getIfAvailable(CompositeMeterRegistry::new),
						recordsLongTaskTimers(environment));
			}

			/**
			 * Whether Boot's meter handler records long task timers: unless
			 * {@code management.metrics.observations.ignored-meters} names them.
			 */
			static boolean recordsLongTaskTimers(Environment environment) {
				return !Binder.get(environment)
					.bind("management.metrics.observations.ignored-meters",
							Bindable.setOf(DefaultMeterObservationHandler.IgnoredMeters.class))
					.orElse(Set.of())
					.contains(DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER);
			}

		}

	}

	private static GatewayRoute route(String prefix, GatewayProperties.Route route, FilesProperties files,
			GatewayPoolFactory pools) {
		if (route.getName() == null || route.getName().isBlank()) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".name", route.getName(), "a route needs a name");
		}
		GatewayProtocol protocol = Ajp13Routes.configure(prefix, route, pools.protocol(prefix, route));
		if (protocol instanceof HttpProtocol http) {
			protocol = http.withHost(route.getHttp().getHost()).withWebSockets(route.getHttp().isWebsocket());
		}
		String pathPrefix = route.getPathPrefix();
		if (pathPrefix != null && pathPrefix.isBlank()) {
			pathPrefix = null;
		}
		if (pathPrefix == null && route.getExtensions().isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".extensions", route.getExtensions(),
					"a route needs extensions (for example .php) or a path-prefix");
		}
		FileRoot root = null;
		ScriptResolver scripts = null;
		RouteMatcher matcher;
		if (protocol.cgi()) {
			root = documentRoot(prefix, route, files);
			scripts = (pathPrefix != null) ? ScriptResolver.forPathPrefix(pathPrefix, root)
					: ScriptResolver.forExtensions(route.getExtensions(), root);
			matcher = scripts;
		}
		else {
			// The target goes on as received: no script split, no document root.
			matcher = (pathPrefix != null) ? RouteMatcher.pathPrefix(pathPrefix)
					: RouteMatcher.extensions(route.getExtensions());
		}
		ResponseBufferPolicy responseBuffering;
		try {
			responseBuffering = new ResponseBufferPolicy(route.isResponseBuffering(),
					route.getResponseBufferInMemory().toBytes(), route.getMaxResponseTempFileSize().toBytes());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".response-buffer-in-memory",
					route.getResponseBufferInMemory() + ", max-response-temp-file-size "
							+ route.getMaxResponseTempFileSize(), ex.getMessage());
		}
		GatewayPool pool = pools.create(prefix, route, protocol, (root != null) ? root.realPath().toString() : null);
		return new GatewayRoute(route.getName(), matcher, scripts, route.isCheckLocal() && scripts != null,
				route.isAllowXSendfile(),
				route.getMaxRequestSize().toBytes(), route.getRequestBufferInMemory().toBytes(), pool,
				responseBuffering);
	}

	private static FileRoot documentRoot(String prefix, GatewayProperties.Route route, FilesProperties files) {
		Path documentRoot = (route.getDocumentRoot() != null) ? route.getDocumentRoot() : files.getDocumentRoot();
		// Named after the property that holds the value: the route's own, or the one it inherited.
		String property = (route.getDocumentRoot() == null && documentRoot != null) ? "lighttpd.document-root"
				: prefix + ".document-root";
		return ConfiguredRoot.open(property, documentRoot, HiddenFiles.REFUSED,
				"the directory of the route's scripts (or lighttpd.document-root set)");
	}

}
