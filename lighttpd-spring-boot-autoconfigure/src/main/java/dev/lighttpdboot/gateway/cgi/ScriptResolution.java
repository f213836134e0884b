package dev.lighttpdboot.gateway.cgi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a gateway request lands in the document root: lighttpd's split of the request path into the script and
 * the path info after it, and the file names derived from them.
 * <p>Names and paths are decoded text (the request path decoded once, as UTF-8); {@link CgiEnvironment} turns them
 * into the bytes a backend receives.
 *
 * @param scriptName SCRIPT_NAME: the part of the path naming the script, for example {@code /app/index.php};
 * empty for a route mounted at {@code /}
 * @param pathInfo PATH_INFO: the rest of the path after the script, for example {@code /extra/path}; empty when
 * there is none
 * @param scriptFilename SCRIPT_FILENAME: the document root followed by the script name
 * @param pathTranslated PATH_TRANSLATED: the document root followed by the path info; empty when the path info is empty
 * @param documentRoot DOCUMENT_ROOT: the real path of the route's document root
 */
public record ScriptResolution(String scriptName, String pathInfo, Path scriptFilename, String pathTranslated,
		Path documentRoot) {

	public ScriptResolution {
		Objects.requireNonNull(scriptName, "scriptName");
		Objects.requireNonNull(pathInfo, "pathInfo");
		Objects.requireNonNull(scriptFilename, "scriptFilename");
		Objects.requireNonNull(pathTranslated, "pathTranslated");
		Objects.requireNonNull(documentRoot, "documentRoot");
	}

	/**
	 * Build a resolution from the split alone, deriving the file names from the document root.
	 * @param documentRoot the real path of the document root
	 * @param scriptName the script part of the path, empty or starting with {@code /}
	 * @param pathInfo the rest, empty or starting with {@code /}
	 * @return the resolution
	 */
	public static ScriptResolution of(Path documentRoot, String scriptName, String pathInfo) {
		Path scriptFilename = documentRoot;
		for (String segment : scriptName.split("/")) {
			if (!segment.isEmpty()) {
				scriptFilename = scriptFilename.resolve(segment);
			}
		}
		// Plain concatenation, as lighttpd does: PATH_INFO may end with a slash that a Path would drop.
		String pathTranslated = pathInfo.isEmpty() ? "" : documentRoot + pathInfo;
		return new ScriptResolution(scriptName, pathInfo, scriptFilename, pathTranslated, documentRoot);
	}

}
