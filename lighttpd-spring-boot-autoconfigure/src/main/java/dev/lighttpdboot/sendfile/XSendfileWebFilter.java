package dev.lighttpdboot.sendfile;

import dev.lighttpdboot.files.RegionWriter;
import dev.lighttpdboot.server.ServingContext;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Lets the application's handlers (controllers, router functions) answer with a sendfile header instead of a
 * body: the response is wrapped so that {@link XSendfile} sends the named file. Whatever happens, including an
 * error rendered by another component, the headers are removed before the response is committed.
 */
public class XSendfileWebFilter implements WebFilter, Ordered, ApplicationContextAware {

	private @Nullable ApplicationContext applicationContext;

	/** After the secure-download filter, before the application's own filters. */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

	private final XSendfile xSendfile;

	private final RegionWriter regionWriter;

	public XSendfileWebFilter(XSendfile xSendfile, RegionWriter regionWriter) {
		this.xSendfile = xSendfile;
		this.regionWriter = regionWriter;
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
		ServerHttpResponse response = exchange.getResponse();
		response.beforeCommit(() -> {
			this.xSendfile.strip(response);
			return Mono.empty();
		});
		XSendfileResponse decorated = new XSendfileResponse(response, exchange.getRequest(), this.xSendfile,
				this.regionWriter);
		return chain.filter(exchange.mutate().response(decorated).build());
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
