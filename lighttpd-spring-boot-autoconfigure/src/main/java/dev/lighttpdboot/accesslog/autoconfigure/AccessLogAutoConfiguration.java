package dev.lighttpdboot.accesslog.autoconfigure;

import dev.lighttpdboot.accesslog.AccessLogFormat;
import dev.lighttpdboot.accesslog.ExchangeAttributesHandoff;
import dev.lighttpdboot.accesslog.FormattedAccessLogFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the access log ({@code lighttpd.access-log.enabled=true}): Reactor Netty's access log with
 * lines in the configured format, and the filter that hands the gateway's backend and timing to it.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "lighttpd.access-log.enabled")
@EnableConfigurationProperties(AccessLogProperties.class)
public final class AccessLogAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	FormattedAccessLogFactory lighttpdAccessLogFactory(AccessLogProperties properties) {
		String format = properties.getFormat();
		try {
			return new FormattedAccessLogFactory(AccessLogFormat.parse((format != null) ? format : "combined"));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("lighttpd.access-log.format", format, ex.getMessage());
		}
	}

	@Bean
	@ConditionalOnMissingBean
	ExchangeAttributesHandoff lighttpdAccessLogHandoff() {
		return new ExchangeAttributesHandoff();
	}

	@Bean
	NettyServerCustomizer lighttpdAccessLog(FormattedAccessLogFactory factory) {
		return factory::install;
	}

}
