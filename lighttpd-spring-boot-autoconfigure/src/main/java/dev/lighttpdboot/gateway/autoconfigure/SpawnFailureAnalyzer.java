package dev.lighttpdboot.gateway.autoconfigure;

import java.util.List;

import dev.lighttpdboot.gateway.spawn.SpawnException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Turns a spawn command that cannot run (no such program, not executable) into a start-up report that names the
 * property to correct, instead of a stack trace.
 */
class SpawnFailureAnalyzer extends AbstractFailureAnalyzer<SpawnException> {

	private final Environment environment;

	SpawnFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, SpawnException cause) {
		String property = property(cause.getPool());
		Throwable reason = (cause.getCause() != null) ? cause.getCause() : cause;
		String description = "The processes of gateway route '" + cause.getPool() + "' could not be started: "
				+ reason.getMessage() + ".\n\nProperty: " + property + "\nValue: " + cause.getCommand();
		String action = "Correct " + property + ": its first word must be a program this server's user can run "
				+ "(a name found on PATH, or an absolute path), and {address} stands for the socket it listens on. "
				+ "For PHP, install php-cgi (Debian and Ubuntu: apt-get install php-cgi), or remove the route's spawn "
				+ "settings and list php-fpm under its backends.";
		return new FailureAnalysis(description, action, cause);
	}

	private String property(@Nullable String pool) {
		List<GatewayProperties.Route> routes = Binder.get(this.environment)
			.bind("lighttpd.gateway.routes", Bindable.listOf(GatewayProperties.Route.class))
			.orElse(List.of());
		for (int i = 0; i < routes.size(); i++) {
			if (pool != null && pool.equals(routes.get(i).getName())) {
				return "lighttpd.gateway.routes[" + i + "].spawn.command";
			}
		}
		return "lighttpd.gateway.routes[].spawn.command";
	}

}
