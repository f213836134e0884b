package dev.lighttpdboot.files;

import org.jspecify.annotations.Nullable;

/**
 * Files of a root of their own that requests under a path prefix name, such as signed links
 * (mod_secdownload): what lets {@code lighttpd.files.dispatch=netty} answer them in the connection's pipeline as
 * it answers the document root's files. Under its prefix the lookup alone decides; nothing it does may block, as
 * it is asked on an event loop for every request under the prefix.
 */
public interface PrefixedFileLookup {

	/**
	 * Return the raw path prefix whose requests are this lookup's.
	 */
	String prefix();

	/**
	 * Return the file a GET or HEAD under the prefix would be answered with, as far as a lookup that never touches
	 * the file system can tell: a stat-cache entry within its validity for a request that is valid as it stands.
	 * @param rawPath the raw (percent-encoded) request path, starting with the prefix
	 * @param rawQuery the raw query, or {@code null}
	 * @return the file, or {@code null} when the request must go the ordinary way (which fills the cache)
	 */
	@Nullable FileSnapshot cachedFile(String rawPath, @Nullable String rawQuery);

	/**
	 * Count an answer given in the pipeline with a file {@link #cachedFile} returned, as the ordinary way counts
	 * it.
	 */
	void answered(FileSnapshot file);

}
