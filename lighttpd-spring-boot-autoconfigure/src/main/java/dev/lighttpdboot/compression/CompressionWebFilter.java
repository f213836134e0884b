package dev.lighttpdboot.compression;

import java.util.List;

import dev.lighttpdboot.server.ServingContext;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Compresses responses of handlers and gateway routes while they stream (see {@link CompressingResponse}), for the
 * configured paths (all when none are configured). It runs before the X-Sendfile and signed-link filters, so the
 * files they send pass through it untouched, with {@code sendfile(2)}.
 */
public class CompressionWebFilter implements WebFilter, Ordered, ApplicationContextAware {

	private @Nullable ApplicationContext applicationContext;

	/** Outside the signed-link ({@code +10}) and X-Sendfile ({@code +20}) filters. */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 5;

	private final ContentEncoders encoders;

	private final CompressionPolicy policy;

	private final List<PathPattern> paths;

	/**
	 * Create the filter.
	 * @param encoders the available encoders, in order of preference
	 * @param policy which responses are compressible
	 * @param paths the paths whose responses are compressed; empty for all
	 */
	public CompressionWebFilter(ContentEncoders encoders, CompressionPolicy policy, List<PathPattern> paths) {
		this.encoders = encoders;
		this.policy = policy;
		this.paths = List.copyOf(paths);
	}

	@Override
	public void setApplicationContext(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (ServingContext.isOther(exchange, this.applicationContext)) {
			// Spring Boot's management child context: the application's content stays off the actuator's port.
			return chain.filter(exchange);
		}
		if (!this.paths.isEmpty()) {
			PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
			if (this.paths.stream().noneMatch((pattern) -> pattern.matches(path))) {
				return chain.filter(exchange);
			}
		}
		ContentCoding coding = AcceptEncoding.choose(
				exchange.getRequest().getHeaders().get(HttpHeaders.ACCEPT_ENCODING), this.encoders.codings());
		ContentEncoder encoder = (coding != null) ? this.encoders.get(coding) : null;
		return chain.filter(exchange.mutate()
			.response(CompressingResponse.wrap(exchange.getResponse(), encoder, this.policy, exchange.getAttributes()))
			.build());
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
