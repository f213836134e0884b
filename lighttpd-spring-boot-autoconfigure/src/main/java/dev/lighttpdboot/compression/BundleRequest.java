package dev.lighttpdboot.compression;

import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;

import org.springframework.http.HttpStatus;

/**
 * A bundle request in Tengine's concat syntax: {@code /dir/??a.js,sub/b.js,c.js?v=1}. The path names the directory
 * (it ends with {@code /}), the query starts with a second {@code ?} and lists the files relative to it, separated
 * by commas. A {@code ?} inside an item starts a version string that is ignored up to the next comma, and empty
 * items are skipped. Each file's path is checked exactly as a single file's is ({@link SafePath}).
 *
 * @param members the checked paths of the files, in order
 */
public record BundleRequest(List<SafePath> members) {

	/**
	 * Whether a request looks like a bundle: a path ending with {@code /} and a raw query starting with {@code ?}.
	 */
	public static boolean matches(String path, String rawQuery) {
		return rawQuery != null && rawQuery.startsWith("?") && path.endsWith("/");
	}

	/**
	 * Parse a bundle request.
	 * @param directory the raw (percent-encoded) path of the directory, ending with {@code /}
	 * @param rawQuery the raw query, starting with {@code ?}
	 * @param maxFiles the most files a bundle may name
	 * @param allowHidden whether hidden files may be bundled
	 * @return the bundle
	 * @throws PathRefusedException 400 for an empty list, too many files or an unsafe path; 404 for a hidden file
	 */
	public static BundleRequest parse(String directory, String rawQuery, int maxFiles, boolean allowHidden) {
		List<SafePath> members = new ArrayList<>();
		for (String item : rawQuery.substring(1).split(",", -1)) {
			int version = item.indexOf('?');
			String name = (version >= 0) ? item.substring(0, version) : item;
			if (name.isEmpty()) {
				continue;
			}
			if (members.size() == maxFiles) {
				throw new PathRefusedException(HttpStatus.BAD_REQUEST, "more than " + maxFiles + " files in a bundle");
			}
			if (name.startsWith("/")) {
				throw new PathRefusedException(HttpStatus.BAD_REQUEST, "absolute path in a bundle");
			}
			members.add(SafePath.parse(directory + name, HiddenFiles.allowedIf(allowHidden)));
		}
		if (members.isEmpty()) {
			throw new PathRefusedException(HttpStatus.BAD_REQUEST, "a bundle without files");
		}
		return new BundleRequest(List.copyOf(members));
	}

}
