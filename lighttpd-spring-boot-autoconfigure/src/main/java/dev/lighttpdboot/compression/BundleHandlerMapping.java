package dev.lighttpdboot.compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRepresentation;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.server.ServingContext;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * Answers {@code /dir/??a.js,b.js,c.js} (Tengine's concat syntax, see {@link BundleRequest}) with the files of the
 * document root concatenated in order, as one file:
 * <ul>
 * <li>each file is checked as a single file is (safe path, real path within the root, hidden files), and must be a
 * regular file (else 404; 403 when refused); all must have the same media type, one of the configured bundle types
 * (else 400);</li>
 * <li>the concatenation is written once into the {@link CompressedFileCache}, keyed by every member's path and
 * validators, so a changed member makes a new bundle; it then goes out like a static file: compressed
 * through the cache when the client accepts it, with {@code sendfile(2)}, conditional requests and Range;</li>
 * <li>its entity tag is derived from the members' tags, its Last-Modified is the newest member's.</li>
 * </ul>
 * Ordered before the document root, which would otherwise answer the directory.
 */
public class BundleHandlerMapping extends AbstractHandlerMapping {

	private static final Log logger = LogFactory.getLog(BundleHandlerMapping.class);

	private final FileRoot root;

	private final StatCache statCache;

	private final ContentTypes contentTypes;

	private final CompressedFileCache cache;

	private final CompressedRepresentations representations;

	private final FileDelivery delivery;

	private final FileSystemScheduler fileSystem;

	private final int maxFiles;

	private final List<MediaType> types;

	private final byte[] delimiter;

	private final boolean allowHidden;

	/**
	 * Create the mapping.
	 * @param root the document root
	 * @param statCache looks up the members
	 * @param contentTypes chooses each member's media type from its name
	 * @param cache where concatenations are kept
	 * @param representations chooses the encoded form of a concatenation
	 * @param delivery sends the chosen file
	 * @param fileSystem the scheduler for file-system work
	 * @param maxFiles the most files in one bundle
	 * @param types the media types a bundle may have
	 * @param delimiter the text written between two files
	 * @param allowHidden whether hidden files may be bundled
	 */
	public BundleHandlerMapping(FileRoot root, StatCache statCache, ContentTypes contentTypes,
			CompressedFileCache cache, CompressedRepresentations representations, FileDelivery delivery,
			FileSystemScheduler fileSystem, int maxFiles, List<MediaType> types, String delimiter,
			boolean allowHidden) {
		this.root = root;
		this.statCache = statCache;
		this.contentTypes = contentTypes;
		this.cache = cache;
		this.representations = representations;
		this.delivery = delivery;
		this.fileSystem = fileSystem;
		this.maxFiles = maxFiles;
		this.types = List.copyOf(types);
		this.delimiter = delimiter.getBytes(StandardCharsets.UTF_8);
		this.allowHidden = allowHidden;
		setOrder(Ordered.LOWEST_PRECEDENCE - 3);
	}

	@Override
	protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
		if (ServingContext.isOther(exchange, getApplicationContext())) {
			// Spring Boot's management child context: the application's content stays off the actuator's port.
			return Mono.empty();
		}
		ServerHttpRequest request = exchange.getRequest();
		String path = request.getPath().pathWithinApplication().value();
		String query = request.getURI().getRawQuery();
		if (!BundleRequest.matches(path, query)) {
			return Mono.empty();
		}
		BundleRequest bundle;
		try {
			bundle = BundleRequest.parse(path, query, this.maxFiles, this.allowHidden);
		}
		catch (PathRefusedException ex) {
			return refuse(request, ex);
		}
		return Mono.just((WebHandler) (handled) -> answer(handled, bundle));
	}

	private Mono<Void> answer(ServerWebExchange exchange, BundleRequest bundle) {
		HttpMethod method = exchange.getRequest().getMethod();
		if (!FileDelivery.isRead(method)) {
			return FileDelivery.answerOtherMethod(method, exchange.getResponse());
		}
		return Flux.fromIterable(bundle.members())
			.concatMap((member) -> lookup(exchange.getRequest(), member))
			.collectList()
			.flatMap((members) -> concatenate(exchange, members))
			.flatMap((representation) -> representation.deliver(this.delivery, exchange))
			.onErrorResume(PathRefusedException.class, (ex) -> refuse(exchange.getRequest(), ex));
	}

	private Mono<FileSnapshot> lookup(ServerHttpRequest request, SafePath member) {
		return this.statCache.lookup(request, this.root, member)
			.filter((file) -> !file.directory())
			.switchIfEmpty(Mono.error(() -> new PathRefusedException(HttpStatus.NOT_FOUND,
					"bundle member " + member + " is not a file")));
	}

	private Mono<FileRepresentation> concatenate(ServerWebExchange exchange, List<FileSnapshot> members) {
		MediaType type = this.contentTypes.forFileName(members.get(0).fileName());
		if (this.types.stream().noneMatch((allowed) -> allowed.includes(type))) {
			return Mono.error(new PathRefusedException(HttpStatus.BAD_REQUEST, "bundle of type " + type));
		}
		StringBuilder key = new StringBuilder("bundle\0").append(HexFormat.of().formatHex(this.delimiter));
		Instant newest = Instant.EPOCH;
		for (FileSnapshot member : members) {
			if (!this.contentTypes.forFileName(member.fileName()).equalsTypeAndSubtype(type)) {
				return Mono.error(new PathRefusedException(HttpStatus.BAD_REQUEST, "bundle of several types"));
			}
			key.append('\0').append(member.path()).append('\0').append(member.etag());
			newest = member.lastModified().isAfter(newest) ? member.lastModified() : newest;
		}
		String bundleKey = key.toString();
		String etag = "\"b" + sha256(bundleKey).substring(0, 24) + "\"";
		Instant lastModified = newest;
		CompressedFileCache.Entry hit = this.cache.find(bundleKey, "bundle");
		Mono<CompressedFileCache.Entry> entry = (hit != null) ? Mono.just(hit)
				: this.fileSystem.backTo(exchange.getRequest(),
						this.cache.get(bundleKey, "bundle", (target) -> write(members, target)));
		return entry
			.switchIfEmpty(Mono.error(() -> new PathRefusedException(HttpStatus.SERVICE_UNAVAILABLE,
					"a bundle member changed while it was read")))
			.flatMap((written) -> {
				FileSnapshot file = new FileSnapshot(written.path(), written.size(), lastModified, false, etag);
				return this.representations.select(exchange, null, file, type);
			});
	}

	private boolean write(List<FileSnapshot> members, Path target) throws IOException {
		try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
			for (int i = 0; i < members.size(); i++) {
				if (i > 0) {
					out.write(this.delimiter);
				}
				try (InputStream in = Files.newInputStream(members.get(i).path(), LinkOption.NOFOLLOW_LINKS)) {
					in.transferTo(out);
				}
			}
		}
		for (FileSnapshot member : members) {
			if (!CompressedRepresentations.unchanged(member)) {
				return false;
			}
		}
		return true;
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static <T> Mono<T> refuse(ServerHttpRequest request, PathRefusedException ex) {
		if (logger.isDebugEnabled()) {
			logger.debug("Refused bundle " + request.getMethod() + " "
					+ LogText.printable(request.getURI().getRawPath() + "?" + request.getURI().getRawQuery())
					+ " with " + ex.getStatusCode().value() + ": " + ex.getReason());
		}
		return Mono.error(ex);
	}

}
