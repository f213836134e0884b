package dev.lighttpdboot.uploadprogress.autoconfigure;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Finds which of the application's handlers answers {@code GET} on a path: an annotated controller method
 * ({@code @GetMapping}, {@code @RequestMapping} without methods) or a router function route. Router functions are
 * read through their visitors, so a route whose predicate is not a path (a lambda, say) is not seen.
 */
final class ApplicationPathClaims {

	private final PathContainer path;

	ApplicationPathClaims(String path) {
		this.path = PathContainer.parsePath(path);
	}

	/**
	 * Return the controller method that answers GET on the path, or {@code null}.
	 */
	@Nullable String claimant(RequestMappingHandlerMapping mapping) {
		for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mapping.getHandlerMethods().entrySet()) {
			RequestMappingInfo info = entry.getKey();
			Set<RequestMethod> methods = info.getMethodsCondition()
				.getMethods();
			boolean get = methods.isEmpty()
					|| methods.contains(RequestMethod.GET);
			if (get && info.getPatternsCondition().getPatterns().stream().anyMatch(this::matches)) {
				return entry.getValue().toString();
			}
		}
		return null;
	}

	/**
	 * Return the router function route that answers GET on the path, or {@code null}.
	 */
	@Nullable String claimant(RouterFunction<?> routes) {
		RouteVisitor visitor = new RouteVisitor();
		routes.accept(visitor);
		return visitor.claimant;
	}

	private boolean matches(PathPattern pattern) {
		return pattern.matches(this.path);
	}

	private final class RouteVisitor implements RouterFunctions.Visitor {

		private final Deque<String> prefixes = new ArrayDeque<>();

		private @Nullable String claimant;

		@Override
		public void startNested(RequestPredicate predicate) {
			Shape shape = Shape.of(predicate);
			this.prefixes.push(prefix() + (shape.paths.isEmpty() ? "" : shape.paths.get(0)));
		}

		@Override
		public void endNested(RequestPredicate predicate) {
			this.prefixes.pop();
		}

		@Override
		public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
			if (this.claimant != null) {
				return;
			}
			Shape shape = Shape.of(predicate);
			boolean get = shape.methods.isEmpty() || shape.methods.contains(HttpMethod.GET);
			List<String> paths = shape.paths.isEmpty() && !prefix().isEmpty() ? List.of("") : shape.paths;
			for (String path : paths) {
				if (get && matches(PathPatternParser.defaultInstance.parse(prefix() + path))) {
					this.claimant = "router function route " + predicate;
					return;
				}
			}
		}

		private String prefix() {
			return this.prefixes.isEmpty() ? "" : this.prefixes.peek();
		}

		@Override
		public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {
		}

		@Override
		public void attributes(Map<String, Object> attributes) {
		}

		@Override
		public void unknown(RouterFunction<?> routerFunction) {
		}

	}

	/** The paths and methods a predicate names, whatever and/or/negate joins them (a close enough reading). */
	private static final class Shape implements RequestPredicates.Visitor {

		private final List<String> paths = new ArrayList<>();

		private final Set<HttpMethod> methods = new HashSet<>();

		private int negated;

		static Shape of(RequestPredicate predicate) {
			Shape shape = new Shape();
			predicate.accept(shape);
			return shape;
		}

		@Override
		public void method(Set<HttpMethod> methods) {
			if (this.negated == 0) {
				this.methods.addAll(methods);
			}
		}

		@Override
		public void path(String pattern) {
			if (this.negated == 0) {
				this.paths.add(pattern);
			}
		}

		@Override
		public void pathExtension(String extension) {
		}

		@Override
		public void header(String name, String value) {
		}

		@Override
		public void queryParam(String name, String value) {
		}

		@Override
		public void version(String version) {
		}

		@Override
		public void startAnd() {
		}

		@Override
		public void and() {
		}

		@Override
		public void endAnd() {
		}

		@Override
		public void startOr() {
		}

		@Override
		public void or() {
		}

		@Override
		public void endOr() {
		}

		@Override
		public void startNegate() {
			this.negated++;
		}

		@Override
		public void endNegate() {
			this.negated--;
		}

		@Override
		public void unknown(RequestPredicate predicate) {
		}

	}

}
