package dev.lighttpdboot.sendfile;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;

import org.springframework.http.HttpStatus;

/**
 * Maps the URI of an {@code X-Accel-Redirect} to a file, as nginx's internal locations do: the longest configured
 * prefix wins, and the rest of the URI is decoded once and resolved safely below that prefix's directory.
 */
public final class AccelLocations {

	private final Map<String, FileRoot> byPrefix;

	/**
	 * Create the mapping.
	 * @param locations URI prefix (for example {@code /protected/}) to the directory it stands for
	 */
	public AccelLocations(Map<String, FileRoot> locations) {
		this.byPrefix = new LinkedHashMap<>();
		locations.entrySet().stream()
			.sorted(Comparator.comparingInt((Map.Entry<String, FileRoot> entry) -> entry.getKey().length()).reversed())
			.forEach((entry) -> this.byPrefix.put(entry.getKey(), entry.getValue()));
	}

	/**
	 * Look up the file an accelerated URI names. This blocks: call it on the file-system scheduler.
	 * @param uri the percent-encoded URI path
	 * @return the file, or empty if nothing is there
	 * @throws PathRefusedException with 404 if no prefix matches, 403 if a symlink leads out of the directory
	 * @throws InvalidSendfileHeaderException if the rest of the URI is not a plain path (traversal, encoded slash)
	 * @throws IOException if the file system fails otherwise
	 */
	public Optional<FileSnapshot> lookup(String uri) throws IOException {
		for (Map.Entry<String, FileRoot> location : this.byPrefix.entrySet()) {
			if (uri.startsWith(location.getKey())) {
				String rest = uri.substring(location.getKey().length());
				return location.getValue().lookup(parse(rest));
			}
		}
		throw new PathRefusedException(HttpStatus.NOT_FOUND, "no accel location matches " + uri);
	}

	private static SafePath parse(String rest) {
		try {
			// The application names the file, so hidden names are allowed; traversal never is.
			return SafePath.parse(rest.startsWith("/") ? rest : "/" + rest, HiddenFiles.ALLOWED);
		}
		catch (PathRefusedException ex) {
			// A URI that is not a plain path below the location is a bug in the handler that set it.
			throw new InvalidSendfileHeaderException("X-Accel-Redirect URI refused: " + ex.getReason());
		}
	}

}
