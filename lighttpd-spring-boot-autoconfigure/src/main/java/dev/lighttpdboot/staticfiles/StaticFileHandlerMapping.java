package dev.lighttpdboot.staticfiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.PrefixedFileLookup;
import dev.lighttpdboot.files.RepresentationSelector;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.server.ServingContext;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import org.springframework.web.util.UriUtils;

/**
 * Serves a document root at {@code /}, after every handler of the application.
 * <p>It is ordered just before Spring's own static-resource mapping ({@code LOWEST_PRECEDENCE - 1}, which answers
 * every path) and after controllers and router functions. A path that names nothing in the document root falls
 * through to the next mapping, so classpath resources still work and a path found nowhere ends as 404. A path that
 * is refused (400, 403) ends here. Directories: a request without the trailing slash is redirected (301) to it;
 * with it, the first index file is served, else a listing when enabled, else 403.
 */
public class StaticFileHandlerMapping extends AbstractHandlerMapping {

	private static final Log logger = LogFactory.getLog(StaticFileHandlerMapping.class);

	private final FileRoot root;

	private final FileDelivery delivery;

	private final FileSystemScheduler fileSystem;

	private final StatCache statCache;

	private final StaticFileOptions options;

	private RepresentationSelector representations = RepresentationSelector.IDENTITY;

	/**
	 * Create the mapping with a stat cache, which answers repeated requests for the same path without a
	 * file-system call.
	 * @param root the document root
	 * @param delivery the file-delivery path
	 * @param fileSystem the scheduler for file-system calls
	 * @param statCache remembers recent lookups of request paths
	 * @param options index files, directory listing and hidden files
	 */
	public StaticFileHandlerMapping(FileRoot root, FileDelivery delivery, FileSystemScheduler fileSystem,
			StatCache statCache, StaticFileOptions options) {
		this.root = root;
		this.delivery = delivery;
		this.fileSystem = fileSystem;
		this.statCache = statCache;
		this.options = options;
		setOrder(Ordered.LOWEST_PRECEDENCE - 2);
	}

	/**
	 * Set what chooses the file that represents a requested file (the file itself by default; an encoded form
	 * when compression is on).
	 */
	public void setRepresentationSelector(RepresentationSelector representations) {
		this.representations = representations;
	}

	@Override
	protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
		if (ServingContext.isOther(exchange, getApplicationContext())) {
			// Spring Boot's management child context: the application's content stays off the actuator's port.
			return Mono.empty();
		}
		ServerHttpRequest request = exchange.getRequest();
		String withinApplication = request.getPath().pathWithinApplication().value();
		// The bare base path ("/ctx" under spring.webflux.base-path=/ctx) is the root directory.
		String rawPath = withinApplication.isEmpty() ? "/" : withinApplication;
		SafePath path;
		try {
			path = SafePath.parse(rawPath, this.options.hiddenFiles());
		}
		catch (PathRefusedException ex) {
			return refuse(request, rawPath, ex);
		}
		return this.statCache.lookup(request, this.root, path)
			.flatMap((file) -> handlerFor(request, path, file))
			.onErrorResume(PathRefusedException.class, (ex) -> refuse(request, rawPath, ex));
	}

	/**
	 * Answer a GET or HEAD for a regular file of the document root at once, without asking the handler mappings
	 * before this one; everything else goes on through {@code orElse}: other methods, directories, paths that are
	 * refused or hidden, and paths that name nothing here. Those then get exactly the answer they get without
	 * this method (the file is looked up again, from the stat cache). See {@link DirectStaticFileWebFilter}.
	 * @param exchange the exchange
	 * @param orElse what handles the exchange when it is not a request for a regular file of the document root
	 * @return completion of the answer
	 */
	public Mono<Void> serveDirectly(ServerWebExchange exchange, WebHandler orElse) {
		ServerHttpRequest request = exchange.getRequest();
		if (!FileDelivery.isRead(request.getMethod())) {
			return orElse.handle(exchange);
		}
		String withinApplication = request.getPath().pathWithinApplication().value();
		SafePath path;
		try {
			path = SafePath.parse(withinApplication.isEmpty() ? "/" : withinApplication, this.options.hiddenFiles());
		}
		catch (PathRefusedException ex) {
			return orElse.handle(exchange);
		}
		if (path.hasTrailingSlash()) {
			// A directory, or "/file.txt/", which names nothing: the ordinary answer in both cases.
			return orElse.handle(exchange);
		}
		return this.statCache.lookup(request, this.root, path)
			.filter((file) -> !file.directory())
			.map(Optional::of)
			.onErrorResume(PathRefusedException.class, (ex) -> Mono.just(Optional.empty()))
			.defaultIfEmpty(Optional.empty())
			.flatMap((file) -> file.isPresent() ? deliver(exchange, file.get()) : orElse.handle(exchange));
	}

	/**
	 * Return what answers requests for whole files in the connection's pipeline, with this mapping's root,
	 * delivery, stat cache, options and representations ({@code lighttpd.files.dispatch=netty}).
	 * @param claims the handlers whose paths are theirs, not the document root's
	 * @param prefixed the lookups of other roots under prefixes of their own (signed links), asked first
	 */
	public KeptFileAnswers keptFileAnswers(List<PathClaim> claims, List<PrefixedFileLookup> prefixed) {
		return new KeptFileAnswers(this.root, this.delivery, this.statCache, this.options, this.representations,
				claims, prefixed);
	}

	private Mono<WebHandler> handlerFor(ServerHttpRequest request, SafePath path, FileSnapshot file) {
		if (!file.directory()) {
			// "/file.txt/" names no directory: 404, as the file system says for stat("file.txt/").
			return path.hasTrailingSlash() ? Mono.empty() : Mono.just((exchange) -> deliver(exchange, file));
		}
		if (!path.hasTrailingSlash()) {
			return Mono.just((exchange) -> redirectToDirectory(exchange.getRequest(), exchange.getResponse(), path));
		}
		return this.fileSystem.call(request, () -> findIndexFile(file))
			.<WebHandler>map((index) -> (exchange) -> deliver(exchange, index))
			.switchIfEmpty(Mono.defer(() -> withoutIndex(path, file)));
	}

	private Mono<Void> deliver(ServerWebExchange exchange, FileSnapshot file) {
		return this.representations.select(exchange, this.root, file)
			.flatMap((representation) -> representation.deliver(this.delivery, exchange));
	}

	private @Nullable FileSnapshot findIndexFile(FileSnapshot directory) throws IOException {
		for (String name : this.options.indexFiles()) {
			FileSnapshot candidate = this.root.lookup(directory.path().resolve(name)).orElse(null);
			if (candidate != null && !candidate.directory()) {
				return candidate;
			}
		}
		return null;
	}

	private Mono<WebHandler> withoutIndex(SafePath path, FileSnapshot directory) {
		if (!this.options.listsDirectories()) {
			// Logged once, by the onErrorResume of getHandlerInternal.
			return Mono.error(new PathRefusedException(HttpStatus.FORBIDDEN,
					"directory without an index file, and listing is off"));
		}
		return Mono.just((exchange) -> writeListing(exchange, path, directory));
	}

	private Mono<Void> writeListing(ServerWebExchange exchange, SafePath path, FileSnapshot directory) {
		ServerHttpResponse response = exchange.getResponse();
		HttpMethod method = exchange.getRequest().getMethod();
		if (!FileDelivery.isRead(method)) {
			return FileDelivery.answerOtherMethod(method, response);
		}
		return this.fileSystem
			.call(exchange.getRequest(),
					() -> DirectoryListing.read(path.toString(), directory.path(), this.options.hiddenFiles()).toHtml())
			.flatMap((html) -> {
				byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
				response.getHeaders().setContentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
				response.getHeaders().setContentLength(bytes.length);
				response.getHeaders().setCacheControl("no-cache");
				if (HttpMethod.HEAD.equals(method)) {
					return response.setComplete();
				}
				Flux<DataBuffer> body = Flux.just(response.bufferFactory().wrap(bytes));
				return response.writeWith(body);
			});
	}

	private static Mono<Void> redirectToDirectory(ServerHttpRequest request, ServerHttpResponse response,
			SafePath path) {
		// Built from the checked segments, not the raw path: "//host" must not become a redirect to another site.
		StringBuilder location = new StringBuilder(request.getPath().contextPath().value());
		for (String segment : path.segments()) {
			location.append('/').append(UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
		}
		location.append('/');
		String query = request.getURI().getRawQuery();
		if (query != null) {
			location.append('?').append(query);
		}
		response.setStatusCode(HttpStatus.MOVED_PERMANENTLY);
		response.getHeaders().set(HttpHeaders.LOCATION, location.toString());
		response.getHeaders().setContentLength(0);
		return response.setComplete();
	}

	private static <T> Mono<T> refuse(ServerHttpRequest request, String rawPath, PathRefusedException ex) {
		if (ex.getStatusCode() == HttpStatus.NOT_FOUND) {
			// Hidden files look missing: let other mappings try, and end as an ordinary 404.
			return Mono.empty();
		}
		// DEBUG: a client can send these as fast as it likes, and the log must not grow with an attack.
		if (logger.isDebugEnabled()) {
			logger.debug("Refused " + request.getMethod() + " " + LogText.printable(rawPath) + " with "
					+ ex.getStatusCode().value() + ": " + ex.getReason());
		}
		return Mono.error(ex);
	}

}
