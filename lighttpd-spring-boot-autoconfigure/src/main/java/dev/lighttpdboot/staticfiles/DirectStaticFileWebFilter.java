package dev.lighttpdboot.staticfiles;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Serves the document root's regular files ahead of the application: a GET or HEAD for a regular file is answered
 * here, so no later WebFilter and no handler mapping sees it (see
 * {@link StaticFileHandlerMapping#serveDirectly}). Everything else goes on down the chain unchanged.
 * <p>Only for {@code lighttpd.files.dispatch=direct}, which places this filter at the front of the chain (after
 * the signed-link filter). It is not a bean of the context: where it runs is decided by that placement, not by an
 * order an application filter could outrank.
 */
public final class DirectStaticFileWebFilter implements WebFilter {

	private final StaticFileHandlerMapping documentRoot;

	/**
	 * Create the filter.
	 * @param documentRoot the document root's mapping, which does the serving
	 */
	public DirectStaticFileWebFilter(StaticFileHandlerMapping documentRoot) {
		this.documentRoot = documentRoot;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return this.documentRoot.serveDirectly(exchange, chain::filter);
	}

}
