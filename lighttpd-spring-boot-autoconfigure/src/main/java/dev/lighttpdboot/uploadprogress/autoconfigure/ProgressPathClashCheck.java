package dev.lighttpdboot.uploadprogress.autoconfigure;

import dev.lighttpdboot.uploadprogress.UploadProgressEndpoint;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * At start-up, before the server takes requests, looks for an application handler of the progress endpoint's path
 * ({@code lighttpd.upload-progress.path}). If there is one, the application keeps its path: the endpoint gives
 * way, and a warning names both, so that the clash is seen and the property moved.
 */
final class ProgressPathClashCheck implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(ProgressPathClashCheck.class);

	private final ObjectProvider<UploadProgressEndpoint> endpoints;

	private final ObjectProvider<RequestMappingHandlerMapping> controllers;

	private final ObjectProvider<RouterFunctionMapping> routerFunctions;

	ProgressPathClashCheck(ObjectProvider<UploadProgressEndpoint> endpoints,
			ObjectProvider<RequestMappingHandlerMapping> controllers,
			ObjectProvider<RouterFunctionMapping> routerFunctions) {
		this.endpoints = endpoints;
		this.controllers = controllers;
		this.routerFunctions = routerFunctions;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.endpoints.orderedStream().forEach(this::check);
	}

	private void check(UploadProgressEndpoint endpoint) {
		String claimant = claimant(endpoint.getPath());
		if (claimant != null) {
			logger.warn("GET " + endpoint.getPath() + " is mapped both by the upload-progress endpoint ("
					+ UploadProgressEndpoint.class.getName() + ", lighttpd.upload-progress.path) and by the application's "
					+ claimant + ": the application's handler keeps the path and upload progress is not served there; "
					+ "set lighttpd.upload-progress.path to a free path");
			endpoint.giveWay(claimant);
		}
	}

	private @Nullable String claimant(String path) {
		ApplicationPathClaims claims = new ApplicationPathClaims(path);
		for (RequestMappingHandlerMapping mapping : this.controllers.orderedStream().toList()) {
			String claimant = claims.claimant(mapping);
			if (claimant != null) {
				return claimant;
			}
		}
		for (RouterFunctionMapping mapping : this.routerFunctions.orderedStream().toList()) {
			if (mapping.getRouterFunction() != null) {
				String claimant = claims.claimant(mapping.getRouterFunction());
				if (claimant != null) {
					return claimant;
				}
			}
		}
		return null;
	}

}
