package dev.lighttpdboot.gateway.route;

import java.util.Collection;

import dev.lighttpdboot.gateway.cgi.ScriptResolver;

/**
 * Decides whether a request path belongs to a route, with string work only. Apart from the CGI script split
 * ({@link ScriptResolver}, which is also a matcher), so that a route whose protocol passes the request target on
 * (HTTP, AJP13) matches the same way without a document root.
 */
@FunctionalInterface
public interface RouteMatcher {

	/**
	 * Whether a request path belongs to the route.
	 * @param rawPath the percent-encoded request path, without the query
	 */
	boolean matches(String rawPath);

	/**
	 * Return a matcher for a path prefix, by whole segments, as {@link ScriptResolver#forPathPrefix} matches.
	 * @param prefix the decoded prefix, starting with {@code /}
	 */
	static RouteMatcher pathPrefix(String prefix) {
		return ScriptResolver.forPathPrefix(prefix, null)::matches;
	}

	/**
	 * Return a matcher for file-name endings, as {@link ScriptResolver#forExtensions} matches.
	 * @param extensions the endings, for example {@code .jsp}
	 */
	static RouteMatcher extensions(Collection<String> extensions) {
		return ScriptResolver.forExtensions(extensions, null)::matches;
	}

}
