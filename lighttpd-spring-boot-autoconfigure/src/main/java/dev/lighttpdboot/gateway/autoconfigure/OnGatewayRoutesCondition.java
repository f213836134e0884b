package dev.lighttpdboot.gateway.autoconfigure;

import java.util.List;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code lighttpd.gateway.routes} has at least one entry, whatever its properties: a route that lacks
 * its name must fail start-up with a message, not switch the gateway off.
 */
class OnGatewayRoutesCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		boolean configured = Binder.get(context.getEnvironment())
			.bind("lighttpd.gateway.routes", Bindable.listOf(Map.class))
			.map(List::size)
			.orElse(0) > 0;
		return configured ? ConditionOutcome.match("lighttpd.gateway.routes is configured")
				: ConditionOutcome.noMatch("no lighttpd.gateway.routes");
	}

}
