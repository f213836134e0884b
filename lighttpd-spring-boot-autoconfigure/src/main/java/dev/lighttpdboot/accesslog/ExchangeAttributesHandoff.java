package dev.lighttpdboot.accesslog;

import java.util.Collections;
import java.util.Map;

import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
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
 * The attributes travel as an attribute of the request's channel (the connection in HTTP/1.1, the stream in HTTP/2),
 * tagged with the Reactor Netty request they belong to: a line is never given the attributes of an earlier request
 * on the same keep-alive connection.
 */
public final class ExchangeAttributesHandoff implements WebFilter, Ordered {

	private static final AttributeKey<Handoff> KEY = AttributeKey.valueOf(ExchangeAttributesHandoff.class.getName());

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof HttpServerRequest request) {
			Map<String, Object> attributes = exchange.getAttributes();
			request.withConnection((connection) -> connection.channel().attr(KEY).set(new Handoff(request, attributes)));
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
	 * request itself, which is also the request's connection
	 * @return the attributes, or an empty map for a request that did not reach WebFlux
	 */
	static Map<String, Object> take(@Nullable ConnectionInformation information) {
		if (!(information instanceof Connection connection)) {
			return Collections.emptyMap();
		}
		Attribute<Handoff> attribute = connection.channel().attr(KEY);
		Handoff handoff = attribute.get();
		if (handoff == null || handoff.request() != information) {
			return Collections.emptyMap();
		}
		attribute.compareAndSet(handoff, null);
		return handoff.attributes();
	}

	private record Handoff(HttpServerRequest request, Map<String, Object> attributes) {
	}

}
