package dev.lighttpdboot.gateway.cgi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.gateway.route.RouteMatcher;
import reactor.core.publisher.Mono;

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
 * malformed encoding), so names are decoded and empty or {@code .} segments are gone. {@link #matches} looks at
 * the same segments with string work only, so that {@code /index.ph%70} or {@code //app/x} cannot slip past
 * the route to the static files and disclose a script's source.
 */
public final class ScriptResolver implements RouteMatcher {

	private final List<String> extensions;

	private final List<String> prefixSegments;

	private final boolean prefixIsDirectory;

	private final FileRoot documentRoot;

	private ScriptResolver(List<String> extensions, List<String> prefixSegments, boolean prefixIsDirectory,
			FileRoot documentRoot) {
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
	public static ScriptResolver forExtensions(Collection<String> extensions, FileRoot documentRoot) {
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
	public static ScriptResolver forPathPrefix(String prefix, FileRoot documentRoot) {
		if (!prefix.startsWith("/")) {
			throw new IllegalArgumentException("prefix '" + prefix + "' does not start with '/'");
		}
		List<String> segments = segments(prefix);
		boolean directory = !segments.isEmpty() && prefix.endsWith("/");
		return new ScriptResolver(null, segments, directory, documentRoot);
	}

	/**
	 * Return the document root of this route.
	 */
	public FileRoot documentRoot() {
		return this.documentRoot;
	}

	/**
	 * Whether a request path belongs to this route. String work only: no file system, and percent-decoding only
	 * when the path contains a {@code %}. A path that does not decode is left to whoever answers it otherwise.
	 * @param rawPath the percent-encoded request path, without the query
	 */
	@Override
	public boolean matches(String rawPath) {
		String decoded = (rawPath.indexOf('%') < 0) ? rawPath : decodeLeniently(rawPath);
		if (decoded == null) {
			return false;
		}
		if (this.extensions != null) {
			return hasScriptSegment(decoded);
		}
		return matchesPrefix(segments(decoded), decoded.endsWith("/"));
	}

	/**
	 * Split a request path that this route matches.
	 * @param rawPath the percent-encoded request path, without the query
	 * @return the split, or empty if the path does not belong to this route
	 * @throws PathRefusedException if the path is refused as {@link SafePath#parse} refuses it (400 or 404)
	 */
	public Optional<ScriptResolution> resolve(String rawPath) {
		SafePath path = SafePath.parse(rawPath, false);
		List<String> segments = path.segments();
		int scriptSegments;
		if (this.extensions != null) {
			scriptSegments = -1;
			for (int i = 0; i < segments.size() && scriptSegments < 0; i++) {
				if (endsWithExtension(segments.get(i), 0, segments.get(i).length())) {
					scriptSegments = i + 1;
				}
			}
			if (scriptSegments < 0) {
				return Optional.empty();
			}
		}
		else {
			if (!matchesPrefix(segments, path.hasTrailingSlash())) {
				return Optional.empty();
			}
			scriptSegments = Math.min(segments.size(),
					this.prefixSegments.size() + (this.prefixIsDirectory ? 1 : 0));
		}
		String scriptName = join(segments.subList(0, scriptSegments), false);
		String pathInfo = join(segments.subList(scriptSegments, segments.size()), path.hasTrailingSlash());
		if (this.prefixIsDirectory && scriptSegments == this.prefixSegments.size()) {
			// The directory itself ("/cgi-bin/"): lighttpd keeps the slash in SCRIPT_NAME and has no PATH_INFO.
			scriptName = scriptName + "/";
			pathInfo = "";
		}
		return Optional.of(ScriptResolution.of(this.documentRoot.realPath(), scriptName, pathInfo));
	}

	/**
	 * Check that the script is a regular file below the document root (check-local). A script whose real path
	 * leaves the root through a symlink, or that cannot be read, counts as absent: the answer is 404 either way,
	 * and the client learns nothing about what lies outside.
	 * @param resolution a split made by this resolver
	 * @param fileSystem the scheduler the lookup runs on
	 * @return whether the script exists
	 */
	public Mono<Boolean> scriptExists(ScriptResolution resolution, FileSystemScheduler fileSystem) {
		return scriptExistsOnDisk(resolution, fileSystem);
	}

	/**
	 * Whether the script names a file (not a directory) below the document root, through a stat cache: a fresh
	 * entry answers on the calling thread, a miss is looked up on the file-system scheduler and the answer comes
	 * back on the request's event loop.
	 * @param request the request, whose event loop receives the answer of a miss
	 * @param resolution the script
	 * @param statCache the cache
	 */
	public Mono<Boolean> scriptExists(org.springframework.http.server.reactive.ServerHttpRequest request,
			ScriptResolution resolution, dev.lighttpdboot.files.StatCache statCache) {
		return statCache.lookup(request, this.documentRoot, resolution.scriptFilename())
			.map((snapshot) -> !snapshot.directory())
			.defaultIfEmpty(false)
			.onErrorReturn(PathRefusedException.class, false);
	}

	private Mono<Boolean> scriptExistsOnDisk(ScriptResolution resolution, FileSystemScheduler fileSystem) {
		return fileSystem.call(() -> {
			try {
				Optional<FileSnapshot> found = this.documentRoot.lookup(resolution.scriptFilename());
				return found.isPresent() && !found.get().directory()
						&& Files.isRegularFile(found.get().path(), LinkOption.NOFOLLOW_LINKS);
			}
			catch (PathRefusedException ex) {
				return false;
			}
		});
	}

	private boolean matchesPrefix(List<String> segments, boolean trailingSlash) {
		int prefixLength = this.prefixSegments.size();
		if (segments.size() < prefixLength || !segments.subList(0, prefixLength).equals(this.prefixSegments)) {
			return false;
		}
		// "/cgi-bin/" claims "/cgi-bin/" and everything below it, but not "/cgi-bin" (lighttpd's string prefix).
		return !this.prefixIsDirectory || segments.size() > prefixLength || trailingSlash;
	}

	private boolean hasScriptSegment(String path) {
		int start = 0;
		while (start <= path.length()) {
			int end = path.indexOf('/', start);
			if (end < 0) {
				end = path.length();
			}
			if (endsWithExtension(path, start, end)) {
				return true;
			}
			start = end + 1;
		}
		return false;
	}

	private boolean endsWithExtension(String text, int start, int end) {
		for (String extension : this.extensions) {
			int length = extension.length();
			if (end - start >= length && text.regionMatches(end - length, extension, 0, length)) {
				return true;
			}
		}
		return false;
	}

	private static List<String> segments(String path) {
		List<String> segments = new ArrayList<>();
		int start = 0;
		while (start <= path.length()) {
			int end = path.indexOf('/', start);
			if (end < 0) {
				end = path.length();
			}
			if (end > start && !(end - start == 1 && path.charAt(start) == '.')) {
				segments.add(path.substring(start, end));
			}
			start = end + 1;
		}
		return segments;
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

	/**
	 * Percent-decode a path as UTF-8 for matching; {@code null} when it does not decode. Refusing encoded slashes
	 * and the like is left to {@link SafePath}.
	 */
	private static String decodeLeniently(String rawPath) {
		StringBuilder result = new StringBuilder(rawPath.length());
		ByteArrayOutputStream run = new ByteArrayOutputStream();
		int i = 0;
		while (i < rawPath.length()) {
			char c = rawPath.charAt(i);
			if (c != '%') {
				result.append(c);
				i++;
				continue;
			}
			run.reset();
			while (i < rawPath.length() && rawPath.charAt(i) == '%') {
				if (i + 2 >= rawPath.length()) {
					return null;
				}
				int high = Character.digit(rawPath.charAt(i + 1), 16);
				int low = Character.digit(rawPath.charAt(i + 2), 16);
				if (high < 0 || low < 0) {
					return null;
				}
				run.write((high << 4) | low);
				i += 3;
			}
			result.append(run.toString(StandardCharsets.UTF_8));
		}
		return result.toString();
	}

}
