package dev.lighttpdboot.gateway.cgi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.gateway.route.RouteMatcher;
import dev.lighttpdboot.text.PercentDecoder;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Decides whether a request path belongs to a gateway route and splits it into SCRIPT_NAME and PATH_INFO, the way
 * lighttpd's {@code gw_backend} does.
 * <ul>
 * <li><b>Extension route</b> ({@code .php}): the script is the path up to and including the first segment that
 * ends with one of the extensions; the rest is the path info. {@code /app/index.php/extra/path} gives
 * SCRIPT_NAME {@code /app/index.php} and PATH_INFO {@code /extra/path}, as lighttpd (with check-local) and
 * nginx's usual {@code fastcgi_split_path_info ^(.+?\.php)(/.*)$} do. Matching is case-sensitive, as in both.</li>
 * <li><b>Prefix route</b>, following lighttpd's verified behaviour for {@code /prefix} keys: a prefix without a
 * trailing slash is the script, the rest is the path info ({@code /app} and {@code /app/x/y} give {@code /app}
 * and {@code /x/y}: an application mounted there). A prefix with a trailing slash names a directory of scripts,
 * so the script is the prefix plus the next segment ({@code /cgi-bin/} and {@code /cgi-bin/s/x/y} give
 * {@code /cgi-bin/s} and {@code /x/y}). The prefix {@code /} gives an empty SCRIPT_NAME and the whole path as
 * PATH_INFO (lighttpd's {@code fix-root-scriptname}, what WSGI and Rack applications at the root expect).
 * Unlike lighttpd, whose test is a plain string prefix, a prefix without a trailing slash matches whole segments
 * only: {@code /app} does not claim {@code /apple}.</li>
 * </ul>
 * The split works on the path as {@link SafePath} decodes it (once, refusing traversal, hidden segments and
 * malformed encoding), so names are decoded and empty or {@code .} segments are gone. {@link #match} decides on
 * the same segments, so that {@code /index.ph%70} or {@code //app/x} cannot slip past the route to the static
 * files and disclose a script's source.
 */
public final class ScriptResolver implements RouteMatcher {

	private final @Nullable List<String> extensions;

	private final @Nullable List<String> prefixSegments;

	private final boolean prefixIsDirectory;

	private final @Nullable FileRoot documentRoot;

	private ScriptResolver(@Nullable List<String> extensions, @Nullable List<String> prefixSegments,
			boolean prefixIsDirectory,
			@Nullable FileRoot documentRoot) {
		this.extensions = extensions;
		this.prefixSegments = prefixSegments;
		this.prefixIsDirectory = prefixIsDirectory;
		this.documentRoot = documentRoot;
	}

	/**
	 * Create a resolver for a route that matches file-name endings.
	 * @param extensions the endings, for example {@code .php}; none may be empty or contain a slash
	 * @param documentRoot the root that SCRIPT_FILENAME is resolved against
	 * @return the resolver
	 */
	public static ScriptResolver forExtensions(Collection<String> extensions, @Nullable FileRoot documentRoot) {
		if (extensions.isEmpty()) {
			throw new IllegalArgumentException("at least one extension is needed");
		}
		for (String extension : extensions) {
			if (extension.isEmpty() || extension.indexOf('/') >= 0) {
				throw new IllegalArgumentException("invalid extension '" + extension + "'");
			}
		}
		return new ScriptResolver(List.copyOf(extensions), null, false, documentRoot);
	}

	/**
	 * Create a resolver for a route that matches a path prefix.
	 * @param prefix the decoded prefix, starting with {@code /}; a trailing slash makes it a directory of
	 * scripts (see the class description)
	 * @param documentRoot the root that SCRIPT_FILENAME is resolved against
	 * @return the resolver
	 */
	public static ScriptResolver forPathPrefix(String prefix, @Nullable FileRoot documentRoot) {
		if (!prefix.startsWith("/")) {
			throw new IllegalArgumentException("prefix '" + prefix + "' does not start with '/'");
		}
		List<String> segments = new ArrayList<>();
		for (String segment : prefix.split("/")) {
			if (!segment.isEmpty() && !segment.equals(".")) {
				segments.add(segment);
			}
		}
		boolean directory = !segments.isEmpty() && prefix.endsWith("/");
		return new ScriptResolver(null, segments, directory, documentRoot);
	}

	/**
	 * Return the document root of this route.
	 */
	public @Nullable FileRoot documentRoot() {
		return this.documentRoot;
	}

	/**
	 * Decide whether a request path belongs to this route and, if it does, split it. The path is parsed once by
	 * {@link SafePath}; a path that it refuses still belongs to the route when its segments, merely decoded, would
	 * (so that {@code /.git/x.php} is refused here and not served as a file), and a path that does not even decode
	 * belongs to no route: whoever answers it otherwise refuses it.
	 * @param rawPath the percent-encoded request path, without the query
	 * @return the script or the refusal, or empty if the path does not belong to this route
	 */
	public Optional<ScriptMatch> match(String rawPath) {
		SafePath path;
		try {
			path = SafePath.parse(rawPath, HiddenFiles.REFUSED);
		}
		catch (PathRefusedException ex) {
			Optional<List<String>> segments = decodedSegments(rawPath);
			return (segments.isPresent() && scriptSegments(segments.get(), rawPath.endsWith("/")) >= 0)
					? Optional.of(new ScriptMatch.Refused(ex)) : Optional.empty();
		}
		List<String> segments = path.segments();
		int scriptSegments = scriptSegments(segments, path.hasTrailingSlash());
		if (scriptSegments < 0) {
			return Optional.empty();
		}
		String scriptName = join(segments.subList(0, scriptSegments), false);
		String pathInfo = join(segments.subList(scriptSegments, segments.size()), path.hasTrailingSlash());
		if (this.prefixIsDirectory && scriptSegments == prefixSegments().size()) {
			// The directory itself ("/cgi-bin/"): lighttpd keeps the slash in SCRIPT_NAME and has no PATH_INFO.
			scriptName = scriptName + "/";
			pathInfo = "";
		}
		return Optional.of(new ScriptMatch.Script(
				ScriptResolution.of(resolvingRoot().realPath(), scriptName, pathInfo)));
	}

	/**
	 * Whether a request path belongs to this route, without splitting it: string work only, no document root
	 * needed, so that routes whose protocol passes the request target on match as CGI routes do. The segments are
	 * decoded as {@link #match} decodes them; a path that does not decode belongs to no route.
	 * @param rawPath the percent-encoded request path, without the query
	 */
	@Override
	public boolean matches(String rawPath) {
		Optional<List<String>> segments = decodedSegments(rawPath);
		return segments.isPresent() && scriptSegments(segments.get(), rawPath.endsWith("/")) >= 0;
	}

	/**
	 * Return how many leading segments name the script, or -1 if the path does not belong to this route.
	 */
	private int scriptSegments(List<String> segments, boolean trailingSlash) {
		if (this.extensions != null) {
			for (int i = 0; i < segments.size(); i++) {
				if (endsWithExtension(segments.get(i))) {
					return i + 1;
				}
			}
			return -1;
		}
		if (!matchesPrefix(segments, trailingSlash)) {
			return -1;
		}
		return Math.min(segments.size(), prefixSegments().size() + (this.prefixIsDirectory ? 1 : 0));
	}

	/**
	 * Whether the script names a file (not a directory) below the document root (check-local), through a stat
	 * cache. A script whose real path leaves the root through a symlink counts as absent: the answer is 404 either
	 * way, and the client learns nothing about what lies outside. A fresh
	 * entry answers on the calling thread, a miss is looked up on the file-system scheduler and the answer comes
	 * back on the request's event loop.
	 * @param request the request, whose event loop receives the answer of a miss
	 * @param resolution the script
	 * @param statCache the cache
	 */
	public Mono<Boolean> scriptExists(ServerHttpRequest request, ScriptResolution resolution, StatCache statCache) {
		return statCache.lookup(request, resolvingRoot(), resolution.scriptFilename())
			.map((snapshot) -> !snapshot.directory())
			.defaultIfEmpty(false)
			.onErrorReturn(PathRefusedException.class, false);
	}

	/**
	 * Whether the script of a resolution exists, as {@link #scriptExists} says, if the stat cache knows it without
	 * a file-system call.
	 * @param resolution where the path landed
	 * @param statCache the stat cache
	 * @return whether a regular file (not a directory) is there, or {@code null} when only a lookup can tell
	 */
	public @Nullable Boolean scriptExistsIfKnown(ScriptResolution resolution, StatCache statCache) {
		FileSnapshot snapshot = statCache.cached(resolvingRoot(), resolution.scriptFilename());
		return (snapshot != null) ? !snapshot.directory() : null;
	}

	private List<String> prefixSegments() {
		if (this.prefixSegments == null) {
			throw new IllegalStateException("a resolver by extension has no path prefix");
		}
		return this.prefixSegments;
	}

	/** The document root scripts resolve against; a resolver made only to match paths (RouteMatcher) has none. */
	private FileRoot resolvingRoot() {
		if (this.documentRoot == null) {
			throw new IllegalStateException("a resolver made only to match paths resolves no script");
		}
		return this.documentRoot;
	}

	private boolean matchesPrefix(List<String> segments, boolean trailingSlash) {
		List<String> prefixSegments = prefixSegments();
		int prefixLength = prefixSegments.size();
		if (segments.size() < prefixLength || !segments.subList(0, prefixLength).equals(prefixSegments)) {
			return false;
		}
		// "/cgi-bin/" claims "/cgi-bin/" and everything below it, but not "/cgi-bin" (lighttpd's string prefix).
		return !this.prefixIsDirectory || segments.size() > prefixLength || trailingSlash;
	}

	private boolean endsWithExtension(String segment) {
		if (this.extensions == null) {
			return false;
		}
		for (String extension : this.extensions) {
			if (segment.endsWith(extension)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Split a path at its slashes, decode each segment and drop empty and {@code .} segments, as {@link SafePath}
	 * does, but without its refusals; empty if a segment does not decode. An encoded slash splits too: a path is
	 * claimed by the route its decoded form falls under ({@code /app%2Fx} by {@code /app}), which then refuses it,
	 * rather than left to mappings that may read it as that route's path.
	 */
	private static Optional<List<String>> decodedSegments(String rawPath) {
		List<String> segments = new ArrayList<>();
		int start = 0;
		while (start <= rawPath.length()) {
			int end = rawPath.indexOf('/', start);
			if (end < 0) {
				end = rawPath.length();
			}
			Optional<String> segment = PercentDecoder.tryDecode(rawPath.substring(start, end));
			if (segment.isEmpty()) {
				return Optional.empty();
			}
			String decoded = segment.get();
			if (decoded.indexOf('/') < 0) {
				addSegment(segments, decoded);
			}
			else {
				for (String part : decoded.split("/", -1)) {
					addSegment(segments, part);
				}
			}
			start = end + 1;
		}
		return Optional.of(segments);
	}

	private static void addSegment(List<String> segments, String segment) {
		if (!segment.isEmpty() && !segment.equals(".")) {
			segments.add(segment);
		}
	}

	private static String join(List<String> segments, boolean trailingSlash) {
		if (segments.isEmpty()) {
			return trailingSlash ? "/" : "";
		}
		StringBuilder result = new StringBuilder();
		for (String segment : segments) {
			result.append('/').append(segment);
		}
		return trailingSlash ? result.append('/').toString() : result.toString();
	}

}
