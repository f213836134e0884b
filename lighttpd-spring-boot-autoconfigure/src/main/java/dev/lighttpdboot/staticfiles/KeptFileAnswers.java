package dev.lighttpdboot.staticfiles;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.OpenFile;
import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.PrefixedFileLookup;
import dev.lighttpdboot.files.RepresentationSelector;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.SmallFileCache;
import dev.lighttpdboot.files.StatCache;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

/**
 * Decides which requests {@link KeptFileChannelHandler} may answer itself, and gives it their bytes (or their open
 * file) and headers: exactly the requests whose ordinary answer is known to be a 200 with a whole regular file of
 * the document root, so that answering them in the connection's pipeline changes nothing but the cost.
 * <p>A request qualifies when its path is no other handler's ({@link PathClaim}), passes {@link SafePath} (hidden
 * files as configured), names a regular file that the stat cache found within its validity (nothing is looked
 * up here: a miss goes the ordinary way, which fills the cache), cannot ask for a pseudo-streaming seek (no
 * query, or a file no seek applies to), and the file is always its own representation (no compression negotiated,
 * no {@code Vary}). A file small enough to be kept is answered from the {@link SmallFileCache} after the same
 * {@code lstat} that checks its bytes on the ordinary path; a larger one is opened as the ordinary path opens it
 * ({@link OpenFile}: no final symlink followed, compared with what the lookup found) and sent from that
 * descriptor.
 * <p>Under the prefix of a {@link PrefixedFileLookup} (signed links) that lookup alone decides which file, if any,
 * a request names; the same conditions on the file follow.
 * <p>What depends on the path alone (the claims, the parse) is remembered for paths that named a file, and what
 * depends on the file alone (its representations, its headers) for as long as the stat cache describes the same
 * file there: a request for a hot file then costs a map lookup and the stat cache's.
 */
public final class KeptFileAnswers {

	/** The most raw paths remembered ({@link #remember}): the hot files of a site, and a bounded map under attack. */
	static final int MAX_RESOLVED_PATHS = 1024;

	private final FileRoot root;

	private final FileDelivery delivery;

	private final StatCache statCache;

	private final StaticFileOptions options;

	private final RepresentationSelector representations;

	private final List<PathClaim> claims;

	private final List<PrefixedFileLookup> prefixed;

	/** Raw paths of files of the document root, as resolved for earlier requests; at most {@link #MAX_RESOLVED_PATHS}. */
	private final ConcurrentHashMap<String, ResolvedPath> resolvedPaths = new ConcurrentHashMap<>();

	KeptFileAnswers(FileRoot root, FileDelivery delivery, StatCache statCache, StaticFileOptions options,
			RepresentationSelector representations, List<PathClaim> claims, List<PrefixedFileLookup> prefixed) {
		this.root = root;
		this.delivery = delivery;
		this.statCache = statCache;
		this.options = options;
		this.representations = representations;
		this.claims = List.copyOf(claims);
		this.prefixed = List.copyOf(prefixed);
	}

	/**
	 * Return the file a GET or HEAD for a raw path would be answered with, if its answer is a whole regular file
	 * sent as it is; never blocks.
	 * @param rawPath the percent-encoded path of the request target, starting with {@code /}
	 * @param rawQuery the raw query of the target, or {@code null}
	 * @return the file and where it was found, or {@code null} when the request must go the ordinary way
	 */
	public @Nullable Candidate candidate(String rawPath, @Nullable String rawQuery) {
		for (PrefixedFileLookup lookup : this.prefixed) {
			if (rawPath.startsWith(lookup.prefix())) {
				FileSnapshot file = lookup.cachedFile(rawPath, rawQuery);
				return (file != null && sentAsItIs(file, rawQuery))
						? new Candidate(file, lookup, this.delivery.keepsInMemory(file), null) : null;
			}
		}
		ResolvedPath resolved = this.resolvedPaths.get(rawPath);
		SafePath path = (resolved != null) ? resolved.path : resolve(rawPath);
		if (path == null) {
			return null;
		}
		FileSnapshot file = this.statCache.cached(this.root, path);
		if (file == null) {
			return null;
		}
		FoundFile found = (resolved != null) ? resolved.found : null;
		if (found == null || (found.file != file && !found.file.equals(file))) {
			found = found(file);
			if (resolved != null) {
				resolved.found = found;
			}
			else {
				remember(rawPath, new ResolvedPath(path, found));
			}
		}
		return (found.candidate != null && (rawQuery == null || !found.seekable)) ? found.candidate : null;
	}

	/**
	 * Resolve a path of the document root, as a request for it is resolved the ordinary way: no other handler's,
	 * safe, no directory asked for by a trailing slash.
	 * @return the path, or {@code null} when a request for it goes the ordinary way
	 */
	private @Nullable SafePath resolve(String rawPath) {
		if (PathClaim.anyClaims(this.claims, rawPath)) {
			return null;
		}
		SafePath path;
		try {
			path = SafePath.parse(rawPath, this.options.hiddenFiles());
		}
		catch (PathRefusedException ex) {
			return null;
		}
		return path.hasTrailingSlash() ? null : path;
	}

	/**
	 * What requests for a file of the document root are answered with, as the stat cache describes it now.
	 */
	private FoundFile found(FileSnapshot file) {
		if (file.directory() || !this.representations.alwaysIdentity(file)) {
			return new FoundFile(file, null, false);
		}
		PreparedHeaders headers = PreparedHeaders.of((prepared) -> this.delivery.wholeFileHeaders(prepared, file));
		return new FoundFile(file, new Candidate(file, null, this.delivery.keepsInMemory(file), headers),
				this.delivery.mayBeSought(file));
	}

	/**
	 * Remember a path that names a file, so that the next request for it costs neither the claims nor the parse:
	 * both depend on nothing but the path. Paths that name no file are not remembered; when the bound is reached,
	 * what was remembered is forgotten, so that the set follows what is asked for now.
	 */
	private void remember(String rawPath, ResolvedPath resolved) {
		if (this.resolvedPaths.size() >= MAX_RESOLVED_PATHS) {
			this.resolvedPaths.clear();
		}
		this.resolvedPaths.put(rawPath, resolved);
	}

	/**
	 * How many raw paths are remembered now.
	 */
	int rememberedPaths() {
		return this.resolvedPaths.size();
	}

	private boolean sentAsItIs(FileSnapshot file, @Nullable String rawQuery) {
		// A query matters only where a seek could read it (?start= of an FLV file).
		return !file.directory() && this.representations.alwaysIdentity(file)
				&& (rawQuery == null || !this.delivery.mayBeSought(file));
	}

	/**
	 * Count an answer given with a candidate, as its ordinary way would.
	 */
	public void answered(Candidate candidate) {
		PrefixedFileLookup lookup = candidate.lookup();
		if (lookup != null) {
			lookup.answered(candidate.file());
		}
	}

	/**
	 * Return the kept bytes of a candidate, checked on the file-system scheduler, continuing on {@code eventLoop};
	 * empty if they are not kept or the file changed.
	 */
	public Mono<SmallFileCache.Kept> bytes(FileSnapshot file, EventLoop eventLoop) {
		return this.delivery.kept(eventLoop, file);
	}

	/**
	 * Return the kept bytes of a candidate at once, if a check within the check validity found the file unchanged;
	 * else {@code null}, and {@link #bytes} checks. Never blocks.
	 */
	public SmallFileCache.@Nullable Kept bytesIfRecentlyChecked(FileSnapshot file) {
		return this.delivery.keptIfRecentlyChecked(file);
	}

	/**
	 * Return a hold on the kept descriptor of a candidate at once, if a check within the check validity found the
	 * file unchanged; else {@code null}, and {@link #open} opens or checks it. Never blocks.
	 */
	public @Nullable OpenFile openIfRecentlyChecked(FileSnapshot file) {
		return this.delivery.openIfRecentlyChecked(file);
	}

	/**
	 * Open a candidate that is not kept in memory, as the ordinary path opens it, on the file-system scheduler,
	 * continuing on {@code eventLoop}; empty if nothing that may be sent is there any more.
	 * @return the open file, which the subscriber closes; its snapshot gives the validators to answer with
	 */
	public Mono<OpenFile> open(FileSnapshot file, EventLoop eventLoop) {
		return this.delivery.open(eventLoop, file);
	}

	/**
	 * Set the headers of the 200 answer with a file, as the ordinary path sets them.
	 */
	public void headers(HttpHeaders headers, FileSnapshot file) {
		this.delivery.wholeFileHeaders(headers, file);
	}

	/**
	 * Whether a request's conditions ({@code If-None-Match}, {@code If-Modified-Since}) make its ordinary answer
	 * for a candidate 304 Not Modified: decided on the snapshot its lookup found, as the ordinary path decides.
	 */
	public boolean notModified(HttpHeaders request, Candidate candidate) {
		return this.delivery.notModified(request, candidate.file());
	}

	/**
	 * Set the headers of the 304 answer for a candidate, as the ordinary path sets them.
	 */
	public void notModifiedHeaders(HttpHeaders headers, Candidate candidate) {
		this.delivery.notModifiedHeaders(headers, candidate.file());
	}

	/**
	 * A file a request may be answered with in the pipeline.
	 * @param file the file
	 * @param lookup the lookup under whose prefix it was found, or {@code null} for the document root
	 * @param kept whether the file is small enough to be answered from memory; else it is sent from its descriptor
	 * @param headers the headers of its 200, prepared for {@code file}, or {@code null} to set them per answer
	 */
	public record Candidate(FileSnapshot file, @Nullable PrefixedFileLookup lookup, boolean kept,
			@Nullable PreparedHeaders headers) {

	}

	/**
	 * A raw path of the document root as resolved, and what the stat cache last described there.
	 */
	private static final class ResolvedPath {

		final SafePath path;

		/** Replaced when the stat cache describes another file there (the file changed). */
		volatile FoundFile found;

		ResolvedPath(SafePath path, FoundFile found) {
			this.path = path;
			this.found = found;
		}

	}

	/**
	 * A file as the stat cache described it, and how requests for it are answered.
	 * @param file the file
	 * @param candidate the candidate of a request without a query, or {@code null} when every request for the file
	 * goes the ordinary way (a directory, a file with other representations)
	 * @param seekable whether a request with a query could ask for a pseudo-streaming seek of it: such a request
	 * goes the ordinary way
	 */
	private record FoundFile(FileSnapshot file, @Nullable Candidate candidate, boolean seekable) {

	}

}
