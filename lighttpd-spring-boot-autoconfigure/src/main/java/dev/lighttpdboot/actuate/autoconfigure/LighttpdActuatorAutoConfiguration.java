package dev.lighttpdboot.actuate.autoconfigure;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.lighttpdboot.actuate.GatewayPoolHealthIndicator;
import dev.lighttpdboot.actuate.GatewayPoolMeters;
import dev.lighttpdboot.actuate.LighttpdEndpoint;
import dev.lighttpdboot.actuate.PoolsOutOfOverallStatus;
import dev.lighttpdboot.actuate.UploadProgressStoreHealthIndicator;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration;
import dev.lighttpdboot.gateway.autoconfigure.GatewayProperties;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import dev.lighttpdboot.uploadprogress.autoconfigure.UploadProgressAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Observability, each part backing off on its own when its library is missing: per-backend meters of the gateway
 * pools (Micrometer), a health contributor {@code lighttpd} with one member per pool and one for the upload-progress
 * store (Spring Boot's health module),
 * and the {@code lighttpd} endpoint with the pools and the uploads in progress (Spring Boot actuator).
 */
@AutoConfiguration(after = { GatewayAutoConfiguration.class, UploadProgressAutoConfiguration.class })
public final class LighttpdActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(GatewayPools.class)
	static class MetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		GatewayPoolMeters lighttpdGatewayPoolMeters(GatewayPools pools) {
			return new GatewayPoolMeters(pools.all());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveHealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("lighttpd")
	@Conditional(PoolsOrUploadProgress.class)
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "lighttpdHealthContributor")
		CompositeReactiveHealthContributor lighttpdHealthContributor(ObjectProvider<GatewayPools> pools,
				ObjectProvider<UploadProgressStore> uploads) {
			Map<String, ReactiveHealthIndicator> members = new LinkedHashMap<>();
			pools.ifAvailable((all) -> all.all()
				.forEach((pool) -> members.put(pool.name(), new GatewayPoolHealthIndicator(pool))));
			uploads.ifUnique((store) -> members.putIfAbsent("upload-progress",
					new UploadProgressStoreHealthIndicator(store)));
			return CompositeReactiveHealthContributor.fromMap(members);
		}

		@Bean
		@ConditionalOnClass(HealthEndpointGroupsPostProcessor.class)
		@ConditionalOnBean(GatewayProperties.class)
		@ConditionalOnMissingBean
		PoolsOutOfOverallStatus lighttpdPoolsOutOfOverallStatus(GatewayProperties properties) {
			Set<String> excluded = properties.getRoutes().stream()
				.filter((route) -> !route.getHealthCheck().isAffectsOverallStatus())
				.map(GatewayProperties.Route::getName)
				.collect(Collectors.toCollection(LinkedHashSet::new));
			return new PoolsOutOfOverallStatus("lighttpd", excluded);
		}

	}

	/** One member per gateway pool, and one for the upload-progress store. */
	static final class PoolsOrUploadProgress extends AnyNestedCondition {

		PoolsOrUploadProgress() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(GatewayPools.class)
		static final class Pools {

		}

		@ConditionalOnBean(UploadProgressStore.class)
		static final class UploadProgress {

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
	@ConditionalOnAvailableEndpoint(LighttpdEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LighttpdEndpoint lighttpdEndpoint(ObjectProvider<GatewayPools> pools,
				ObjectProvider<UploadProgressStore> uploads, ObjectProvider<GatewayProperties> gateway) {
			Map<String, LighttpdEndpoint.RouteDescriptor> routes = new LinkedHashMap<>();
			gateway.ifAvailable((properties) -> properties.getRoutes()
				.forEach((route) -> routes.put(route.getName(), describe(route))));
			return new LighttpdEndpoint(pools.getIfAvailable(), uploads.getIfAvailable(), routes);
		}

		private static LighttpdEndpoint.RouteDescriptor describe(GatewayProperties.Route route) {
			return new LighttpdEndpoint.RouteDescriptor(List.copyOf(route.getExtensions()), route.getPathPrefix(),
					route.getProtocol().name().toLowerCase(Locale.ROOT), route.isCheckLocal(),
					route.getBalance().policy(), route.getConnectTimeout(),
					route.getReadTimeout(), route.getDisableTime(), route.getQueueLimit(),
					route.getMaxRequestSize().toBytes(),
					route.getHealthCheck().isEnabled() ? route.getHealthCheck().getInterval() : null);
		}

	}

}
