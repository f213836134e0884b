package dev.lighttpdboot.secdownload;

import java.util.Objects;
import java.util.Optional;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.PrefixedFileLookup;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.secdownload.SecureDownloadMetrics.Outcome;
import dev.lighttpdboot.server.ServingContext;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Serves signed links (lighttpd's mod_secdownload) from their own root, before any handler of the application.
 * <p>Requests outside the uri-prefix pass through untouched. Under it, the checks of {@link SecureLinks#verify}
 * decide:
 * <ul>
 * <li>not a link (malformed): passed on down the chain, as lighttpd does, so it usually ends as 404;</li>
 * <li>an unsafe relative path: 400; a timestamp out of the window: 410; a bad token: 403;</li>
 * <li>a valid link: the file from the root, through {@link FileDelivery} (Range, conditional requests, HEAD,
 * zero-copy as for static files); 404 if there is no such file or it is hidden, 403 for a directory or a symlink
 * leading out of the root.</li>
 * </ul>
 * Refusals are answered with a {@link PathRefusedException}, so the client gets the application's usual error
 * response, and logged at INFO with their reason.
 * <p>As a {@link PrefixedFileLookup} it tells {@code lighttpd.files.dispatch=netty} which file a valid link names
 * when its stat-cache entry is fresh, so that the link can be answered in the connection's pipeline.
 */
public class SecureDownloadWebFilter implements WebFilter, Ordered, ApplicationContextAware, PrefixedFileLookup {

	private @Nullable ApplicationContext applicationContext;

	/**
	 * The order of this filter: early, so that signed links are served before security or other filters
	 * consider them; the token is the authorisation.
	 */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	private static final Log logger = LogFactory.getLog(SecureDownloadWebFilter.class);

	private final String uriPrefix;

	private final SecureLinks links;

	private final FileRoot root;

	private final FileDelivery delivery;

	private final StatCache statCache;

	private final SecureDownloadMetrics metrics;

	/**
	 * Create the filter with a stat cache, which answers repeated requests for the same file without a
	 * file-system call.
	 * @param links the verifier; its uri-prefix decides which requests this filter looks at
	 * @param root the directory the links give access to (hidden files in it are never served)
	 * @param delivery the file-delivery path
	 * @param statCache remembers recent lookups below the root, and looks up on the file-system scheduler
	 * @param metrics where outcomes are recorded
	 */
	public SecureDownloadWebFilter(SecureLinks links, FileRoot root, FileDelivery delivery, StatCache statCache,
			SecureDownloadMetrics metrics) {
		this.uriPrefix = links.uriPrefix();
		this.links = links;
		this.root = root;
		this.delivery = delivery;
		this.statCache = statCache;
		this.metrics = metrics;
	}

	@Override
	public int getOrder() {
		return ORDER;
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
		ServerHttpRequest request = exchange.getRequest();
		String rawPath = request.getPath().pathWithinApplication().value();
		if (!rawPath.startsWith(this.uriPrefix)) {
			return chain.filter(exchange);
		}
		SecureLinks.Verification verification = this.links.verify(rawPath, request.getURI().getRawQuery());
		SafePath path = verification.path();
		if (verification.verdict() == SecureLinks.Verdict.VALID && path != null) {
			return serve(exchange, rawPath, path);
		}
		// Every verdict but VALID comes with its reason.
		String reason = Objects.requireNonNullElse(verification.reason(), verification.verdict().name());
		return switch (verification.verdict()) {
			case VALID -> Mono.error(new IllegalStateException("a valid link without a path"));
			case MALFORMED -> passOn(exchange, chain, rawPath, reason);
			case UNSAFE_PATH -> refuse(request, rawPath, Outcome.REFUSED,
					new PathRefusedException(HttpStatus.BAD_REQUEST, reason));
			case EXPIRED -> refuse(request, rawPath, Outcome.EXPIRED,
					new PathRefusedException(HttpStatus.GONE, reason));
			case BAD_TOKEN -> refuse(request, rawPath, Outcome.BAD_TOKEN,
					new PathRefusedException(HttpStatus.FORBIDDEN, reason));
		};
	}

	@Override
	public String prefix() {
		return this.uriPrefix;
	}

	@Override
	public @Nullable FileSnapshot cachedFile(String rawPath, @Nullable String rawQuery) {
		SecureLinks.Verification verification = this.links.verify(rawPath, rawQuery);
		SafePath path = verification.path();
		if (verification.verdict() != SecureLinks.Verdict.VALID || path == null || path.hasTrailingSlash()) {
			return null;
		}
		FileSnapshot file = this.statCache.cached(this.root, path);
		return (file != null && !file.directory()) ? file : null;
	}

	@Override
	public void answered(FileSnapshot file) {
		this.metrics.record(Outcome.OK);
	}

	private Mono<Void> passOn(ServerWebExchange exchange, WebFilterChain chain, String rawPath, String reason) {
		// What lighttpd does with a path that is not a link: normal handling, usually ending as 404.
		this.metrics.record(Outcome.MALFORMED);
		if (logger.isDebugEnabled()) {
			logger.debug("Not a secure link, passed on: " + LogText.printable(rawPath) + ": " + reason);
		}
		return chain.filter(exchange);
	}

	private Mono<Void> serve(ServerWebExchange exchange, String rawPath, SafePath path) {
		return this.statCache.lookup(exchange.getRequest(), this.root, path)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.onErrorResume(PathRefusedException.class,
					(ex) -> refuse(exchange.getRequest(), rawPath, Outcome.REFUSED, ex))
			.flatMap((file) -> deliver(exchange, rawPath, path, file));
	}

	private Mono<Void> deliver(ServerWebExchange exchange, String rawPath, SafePath path,
			Optional<FileSnapshot> file) {
		// "/file.txt/" names no directory: 404, as the file system (and the static document root) says.
		if (file.isEmpty() || (!file.get().directory() && path.hasTrailingSlash())) {
			this.metrics.record(Outcome.NOT_FOUND);
			if (logger.isDebugEnabled()) {
				logger.debug("Valid link to nothing: " + LogText.printable(rawPath));
			}
			return Mono.error(new PathRefusedException(HttpStatus.NOT_FOUND, "no such file"));
		}
		if (file.get().directory()) {
			return refuse(exchange.getRequest(), rawPath, Outcome.REFUSED,
					new PathRefusedException(HttpStatus.FORBIDDEN, "a directory"));
		}
		this.metrics.record(Outcome.OK);
		return this.delivery.deliver(exchange, file.get());
	}

	private <T> Mono<T> refuse(ServerHttpRequest request, String rawPath, Outcome outcome, PathRefusedException ex) {
		this.metrics.record(outcome);
		// DEBUG: a client can send these as fast as it likes, and the log must not grow with an attack.
		if (logger.isDebugEnabled()) {
			logger.debug("Refused " + request.getMethod() + " " + LogText.printable(rawPath) + " with "
					+ ex.getStatusCode().value() + ": " + ex.getReason());
		}
		return Mono.error(ex);
	}

}
