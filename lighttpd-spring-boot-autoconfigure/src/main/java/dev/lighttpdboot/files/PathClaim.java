package dev.lighttpdboot.files;

import java.util.List;

/**
 * A handler of this starter that answers some request paths ahead of the document root: a gateway route's scripts
 * ({@code *.php}) and prefixes, the upload-progress endpoint, signed links. By default the handler mappings' order
 * already gives these handlers precedence; where the document root is served before the handler mappings
 * ({@code lighttpd.files.dispatch=direct}), every claim is asked first, so that a PHP script of the document root
 * is run by its backend and never sent as a file (lighttpd's {@code static-file.exclude-extensions}).
 */
@FunctionalInterface
public interface PathClaim {

	/**
	 * Whether requests for a path are answered by this handler rather than by the document root. Called on an event
	 * loop for every request that could be a file of the document root: it must not block.
	 * @param pathWithinApplication the raw (percent-encoded) request path within the application, without the query
	 * @return {@code true} if this handler answers the path (or refuses it), whatever the file system holds; a path
	 * not claimed once must stay unclaimed while the application runs (what the document root resolved for it may be
	 * remembered), while a claimed one may be given up
	 */
	boolean claims(String pathWithinApplication);

	/**
	 * Whether any of {@code claims} answers a path.
	 */
	static boolean anyClaims(List<PathClaim> claims, String pathWithinApplication) {
		for (PathClaim claim : claims) {
			if (claim.claims(pathWithinApplication)) {
				return true;
			}
		}
		return false;
	}

}
