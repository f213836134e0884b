package dev.lighttpdboot.actuate.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.lighttpdboot.actuate.GatewayPoolHealthIndicator;
import dev.lighttpdboot.actuate.GatewayPoolMeters;
import dev.lighttpdboot.actuate.LighttpdEndpoint;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.autoconfigure.GatewayAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Observability of the gateway pools, each part backing off on its own when its library is missing: per-backend
 * meters (Micrometer), a health contributor {@code lighttpd} with one member per pool (Spring Boot's health
 * module), and the {@code lighttpd} endpoint (Spring Boot actuator).
 */
@AutoConfiguration(after = GatewayAutoConfiguration.class)
@ConditionalOnBean(GatewayPools.class)
public final class LighttpdActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		GatewayPoolMeters lighttpdGatewayPoolMeters(GatewayPools pools) {
			return new GatewayPoolMeters(pools.all());
		}

		@Bean
		SmartInitializingSingleton lighttpdGatewayPoolMetersBinding(GatewayPoolMeters meters,
				ObjectProvider<MeterRegistry> registry) {
			// Bound here rather than left to the actuator's MeterBinder support, so that the meters exist with
			// Micrometer alone; binding twice is harmless (a meter is registered once per name and tags).
			return () -> registry.ifAvailable(meters::bindTo);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveHealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("lighttpd")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "lighttpdHealthContributor")
		CompositeReactiveHealthContributor lighttpdHealthContributor(GatewayPools pools) {
			Map<String, GatewayPool> byName = new LinkedHashMap<>();
			pools.all().forEach((pool) -> byName.put(pool.name(), pool));
			return CompositeReactiveHealthContributor.fromMap(byName, GatewayPoolHealthIndicator::new);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
	@ConditionalOnAvailableEndpoint(LighttpdEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LighttpdEndpoint lighttpdEndpoint(GatewayPools pools) {
			return new LighttpdEndpoint(pools);
		}

	}

}
