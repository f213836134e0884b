package dev.lighttpdboot.staticfiles;

import java.util.List;

import dev.lighttpdboot.files.PathClaim;
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
 * <p>Paths that another handler of this starter answers ahead of the document root (a gateway route's
 * {@code *.php}, the upload-progress endpoint: every {@link PathClaim}) go on down the chain to that handler, so
 * that a script of the document root is never sent as a file.
 */
public final class DirectStaticFileWebFilter implements WebFilter {

	private final StaticFileHandlerMapping documentRoot;

	private final List<PathClaim> claims;

	/**
	 * Create the filter.
	 * @param documentRoot the document root's mapping, which does the serving
	 * @param claims the handlers whose paths are theirs, not the document root's
	 */
	public DirectStaticFileWebFilter(StaticFileHandlerMapping documentRoot, List<PathClaim> claims) {
		this.documentRoot = documentRoot;
		this.claims = List.copyOf(claims);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (PathClaim.anyClaims(this.claims, exchange.getRequest().getPath().pathWithinApplication().value())) {
			return chain.filter(exchange);
		}
		return this.documentRoot.serveDirectly(exchange, chain::filter);
	}

}
