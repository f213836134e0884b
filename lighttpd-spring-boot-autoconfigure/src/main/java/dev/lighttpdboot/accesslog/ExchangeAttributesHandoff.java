package dev.lighttpdboot.accesslog;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.ConnectionInformation;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Hands a request's exchange attributes (where the gateway keeps its {@code BackendCall}) to the access log, which
 * Reactor Netty writes from the channel once the response has been sent, outside WebFlux.
 * <p>
 * The attributes are kept under the Reactor Netty request they belong to, by identity, and taken once: a line is
 * never given the attributes of an earlier request on the same keep-alive connection, and it finds them even when
 * the request's connection was closed (and unbound from the request) before the last write of its response
 * completed. Keys are held weakly, so a request whose line is never written leaves nothing behind.
 */
public final class ExchangeAttributesHandoff implements WebFilter, Ordered {

	private static final ConcurrentMap<Object, Map<String, Object>> HANDOFFS = Caffeine.newBuilder()
		.weakKeys()
		.executor(Runnable::run)
		.<Object, Map<String, Object>>build()
		.asMap();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof HttpServerRequest request) {
			HANDOFFS.put(request, exchange.getAttributes());
		}
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		// First, so that even a request another filter answers has its attributes at hand.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * Take the exchange attributes of the request that {@code information} describes, once.
	 * @param information what Reactor Netty's access log knows of the request's connection: Reactor Netty passes the
	 * request itself
	 * @return the attributes, or an empty map for a request that did not reach WebFlux
	 */
	static Map<String, Object> take(@Nullable ConnectionInformation information) {
		if (information == null) {
			return Collections.emptyMap();
		}
		Map<String, Object> attributes = HANDOFFS.remove(information);
		return (attributes != null) ? attributes : Collections.emptyMap();
	}

}
