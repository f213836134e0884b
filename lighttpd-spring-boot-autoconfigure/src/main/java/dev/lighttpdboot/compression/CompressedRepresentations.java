package dev.lighttpdboot.compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.lighttpdboot.files.ContentTypes;
import dev.lighttpdboot.files.FileRepresentation;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.RepresentationSelector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;

/**
 * Chooses the encoded form of a static file that a request accepts, and produces it when needed:
 * <ol>
 * <li>a precompressed sibling ({@code app.js.br}, {@code .zst}, {@code .gz}) in the coding the client prefers,
 * when it exists, stays within the root and is not older than the file (nginx's {@code gzip_static}, and
 * {@code brotli_static} that stock nginx lacks); it needs no compression library;</li>
 * <li>else the file compressed into the {@link CompressedFileCache} on first use, keyed by the file's path and
 * validators, then sent from there;</li>
 * <li>else the file itself.</li>
 * </ol>
 * Each encoded form has its own entity tag (the file's, with {@code -gzip}, {@code -br} or {@code -zstd} inside the
 * quotes, as lighttpd does) and every answer about a compressible file says {@code Vary: Accept-Encoding}. The
 * chosen file goes through the ordinary delivery path, so it leaves with {@code sendfile(2)}, and conditional
 * requests and Range apply to the encoded bytes.
 */
public final class CompressedRepresentations implements RepresentationSelector {

	private static final Log logger = LogFactory.getLog(CompressedRepresentations.class);

	private static final int MAX_SIBLING_CHECKS = 10_000;

	private final ContentEncoders encoders;

	private final List<ContentCoding> siblingCodings;

	private final CompressionPolicy policy;

	private final ContentTypes contentTypes;

	private final CompressedFileCache cache;

	private final FileSystemScheduler fileSystem;

	private final long siblingValidityNanos;

	private final LongSupplier nanoClock = System::nanoTime;

	private final ConcurrentHashMap<String, SiblingCheck> siblingChecks = new ConcurrentHashMap<>();

	/**
	 * Create the selector.
	 * @param encoders the encoders available for on-the-fly compression, in order of preference
	 * @param siblingCodings the codings whose precompressed siblings are looked for, in order of preference
	 * (empty: none)
	 * @param policy which files are compressible
	 * @param contentTypes chooses the Content-Type of a file from its name
	 * @param cache where compressed copies are kept
	 * @param fileSystem the scheduler for file-system work
	 * @param siblingValidity how long the presence or absence of a sibling is trusted (as the stat cache does)
	 */
	public CompressedRepresentations(ContentEncoders encoders, List<ContentCoding> siblingCodings,
			CompressionPolicy policy, ContentTypes contentTypes, CompressedFileCache cache,
			FileSystemScheduler fileSystem, Duration siblingValidity) {
		this.encoders = encoders;
		this.siblingCodings = List.copyOf(siblingCodings);
		this.policy = policy;
		this.contentTypes = contentTypes;
		this.cache = cache;
		this.fileSystem = fileSystem;
		this.siblingValidityNanos = siblingValidity.toNanos();
	}

	@Override
	public Mono<FileRepresentation> select(ServerWebExchange exchange, @Nullable FileRoot root, FileSnapshot file) {
		return select(exchange, root, file, this.contentTypes.forFileName(file.fileName()));
	}

	@Override
	public boolean alwaysIdentity(FileSnapshot file) {
		return file.directory() || !this.policy.compressible(this.contentTypes.forFileName(file.fileName()))
				|| !this.policy.cacheable(file.size());
	}

	/**
	 * Choose the representation of a file whose Content-Type is known.
	 * @param exchange the exchange, whose Accept-Encoding decides
	 * @param root the root to look for precompressed siblings in, or {@code null} to look for none
	 * @param file the file
	 * @param type its Content-Type
	 * @return the representation
	 */
	public Mono<FileRepresentation> select(ServerWebExchange exchange, @Nullable FileRoot root, FileSnapshot file,
			MediaType type) {
		if (file.directory() || !this.policy.compressible(type) || !this.policy.cacheable(file.size())) {
			return Mono.just(new FileRepresentation(file, type, null, false));
		}
		List<String> accepted = exchange.getRequest().getHeaders().get(HttpHeaders.ACCEPT_ENCODING);
		FileRepresentation plain = new FileRepresentation(file, type, null, true);
		ContentCoding forSibling = (root != null) ? AcceptEncoding.choose(accepted, this.siblingCodings) : null;
		ContentCoding forCache = AcceptEncoding.choose(accepted, this.encoders.codings());
		Mono<FileRepresentation> compressed = (forCache != null) ? compressed(exchange, file, type, forCache)
				: Mono.just(plain);
		Mono<FileRepresentation> chosen = (forSibling != null && root != null)
				? sibling(exchange, root, file, type, forSibling).switchIfEmpty(compressed) : compressed;
		return chosen.onErrorResume(IOException.class, (ex) -> {
			logger.warn("Sending " + file.path() + " uncompressed: " + ex);
			return Mono.just(plain);
		});
	}

	private Mono<FileRepresentation> sibling(ServerWebExchange exchange, FileRoot root, FileSnapshot file,
			MediaType type, ContentCoding coding) {
		String key = file.path() + "\0" + file.etag() + "\0" + coding.token();
		SiblingCheck check = this.siblingChecks.get(key);
		long now = this.nanoClock.getAsLong();
		Mono<FileSnapshot> found;
		if (check != null && now - check.checkedAt() < this.siblingValidityNanos) {
			found = Mono.justOrEmpty(check.sibling());
		}
		else {
			found = this.fileSystem.call(exchange.getRequest(), () -> {
				long checkedAt = this.nanoClock.getAsLong();
				FileSnapshot sibling = freshSibling(root, file, coding);
				if (this.siblingChecks.size() >= MAX_SIBLING_CHECKS) {
					this.siblingChecks.clear();
				}
				this.siblingChecks.put(key, new SiblingCheck(sibling, checkedAt));
				return sibling;
			});
		}
		return found.map((sibling) -> {
			// The sibling's own validators: replacing only the .br file must change the tag.
			FileSnapshot encoded = sibling.withEtag(coding.suffix(sibling.etag()));
			return new FileRepresentation(encoded, type, coding.token(), true);
		});
	}

	private static @Nullable FileSnapshot freshSibling(FileRoot root, FileSnapshot file, ContentCoding coding)
			throws IOException {
		Path candidate = file.path().resolveSibling(file.path().getFileName() + coding.extension());
		FileSnapshot sibling;
		try {
			sibling = root.lookup(candidate).orElse(null);
		}
		catch (PathRefusedException ex) {
			// A sibling that leaves the root through a symlink is ignored, not an error for the original.
			return null;
		}
		if (sibling == null || sibling.directory() || sibling.lastModified().isBefore(file.lastModified())) {
			return null;
		}
		return sibling;
	}

	private Mono<FileRepresentation> compressed(ServerWebExchange exchange, FileSnapshot file, MediaType type,
			ContentCoding coding) {
		ContentEncoder encoder = this.encoders.get(coding);
		if (encoder == null) {
			return Mono.just(new FileRepresentation(file, type, null, true));
		}
		String key = "compressed\0" + file.path() + "\0" + file.etag() + "\0" + coding.token();
		String extension = coding.extension().substring(1);
		CompressedFileCache.Entry hit = this.cache.find(key, extension);
		if (hit != null) {
			return Mono.just(representation(file, type, coding, hit));
		}
		// A file of the cache itself (a bundle) is never rewritten in place: its name changes with its content.
		boolean verify = !file.path().startsWith(this.cache.directory());
		Mono<CompressedFileCache.Entry> produced = this.cache.get(key, extension,
				(target) -> compress(file, encoder, target, verify));
		return this.fileSystem.backTo(exchange.getRequest(), produced)
			.map((entry) -> representation(file, type, coding, entry))
			// The file changed while it was compressed: send it as it is now found, uncompressed.
			.switchIfEmpty(Mono.fromSupplier(() -> new FileRepresentation(file, type, null, true)));
	}

	private static FileRepresentation representation(FileSnapshot file, MediaType type, ContentCoding coding,
			CompressedFileCache.Entry entry) {
		FileSnapshot encoded = new FileSnapshot(entry.path(), entry.size(), file.lastModified(), false,
				coding.suffix(file.etag()));
		return new FileRepresentation(encoded, type, coding.token(), true);
	}

	/**
	 * Compress a file into a target; {@code false} if the file is no longer the one described by the snapshot.
	 */
	static boolean compress(FileSnapshot file, ContentEncoder encoder, Path target, boolean verify)
			throws IOException {
		try (InputStream in = Files.newInputStream(file.path(), LinkOption.NOFOLLOW_LINKS);
				OutputStream out = encoder.open(Files.newOutputStream(target, StandardOpenOption.WRITE,
						StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS))) {
			in.transferTo(out);
		}
		return !verify || unchanged(file);
	}

	/**
	 * Whether a file still has the validators of a snapshot (not followed through a symlink).
	 */
	static boolean unchanged(FileSnapshot file) throws IOException {
		BasicFileAttributes now = Files.readAttributes(file.path(), BasicFileAttributes.class,
				LinkOption.NOFOLLOW_LINKS);
		return now.isRegularFile() && FileSnapshot.of(file.path(), now).etag().equals(file.etag());
	}

	private record SiblingCheck(@Nullable FileSnapshot sibling, long checkedAt) {
	}

}
