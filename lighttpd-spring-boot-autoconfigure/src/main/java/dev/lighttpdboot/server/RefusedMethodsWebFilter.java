package dev.lighttpdboot.server;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Answers CONNECT and TRACE with {@code 501} before any other filter or handler, for the requests that do not pass
 * the HTTP/1.1 {@link StrictRequestValidator}: HTTP/2 streams (and HTTP/1.1 with strict checks turned off). No
 * backend ever sees such a request, and the server never echoes one.
 */
public final class RefusedMethodsWebFilter implements WebFilter, Ordered {

	private static final Log logger = LogFactory.getLog(RefusedMethodsWebFilter.class);

	private final ServerRefusals refusals;

	/**
	 * Create the filter.
	 * @param refusals receives each refusal
	 */
	public RefusedMethodsWebFilter(ServerRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpMethod method = exchange.getRequest().getMethod();
		if (!HttpMethod.TRACE.equals(method) && !"CONNECT".equals(method.name())) {
			return chain.filter(exchange);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Refused 501 for " + method.name() + " from " + exchange.getRequest().getRemoteAddress());
		}
		this.refusals.refused(ServerRefusals.METHOD);
		exchange.getResponse().setStatusCode(HttpStatus.NOT_IMPLEMENTED);
		return exchange.getResponse().setComplete();
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
