package dev.lighttpdboot.files;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.lighttpdboot.text.MalformedEncodingException;
import dev.lighttpdboot.text.PercentDecoder;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * A request path decoded exactly once and reduced to plain file-name segments, so that it can only name
 * something below whatever root it is resolved against.
 * <p>Parsing refuses, with {@link PathRefusedException}: a path that does not start with {@code /}, malformed
 * percent-encoding or UTF-8, control characters including NUL, backslashes (raw or encoded), encoded slashes and
 * {@code ..} segments (400), and segments starting with a dot when hidden files are not allowed (404, so that
 * their existence is not revealed). Empty and {@code .} segments are dropped, as lighttpd and nginx do.
 * <p>Parsing is pure string work; symlinks are the business of {@link FileRoot}, which checks the real path.
 */
public final class SafePath {

	private final List<String> segments;

	private final boolean trailingSlash;

	private SafePath(List<String> segments, boolean trailingSlash) {
		this.segments = segments;
		this.trailingSlash = trailingSlash;
	}

	/**
	 * Parse the percent-encoded path of a request target (without the query).
	 * @param encodedPath the raw path, for example {@code /docs/a%20b.txt}
	 * @param hiddenFiles whether segments starting with a dot are allowed
	 * @return the checked path
	 * @throws PathRefusedException if the path is refused
	 */
	public static SafePath parse(String encodedPath, HiddenFiles hiddenFiles) {
		if (encodedPath.isEmpty() || encodedPath.charAt(0) != '/') {
			throw badRequest("path does not start with '/'");
		}
		List<String> segments = new ArrayList<>();
		int start = 1;
		for (int i = 1; i <= encodedPath.length(); i++) {
			if (i == encodedPath.length() || encodedPath.charAt(i) == '/') {
				String segment = decodedSegment(encodedPath, start, i);
				start = i + 1;
				if (segment.isEmpty() || segment.equals(".")) {
					continue;
				}
				if (segment.equals("..")) {
					throw badRequest("'..' segment");
				}
				if (hiddenFiles == HiddenFiles.REFUSED && segment.charAt(0) == '.') {
					throw new PathRefusedException(HttpStatus.NOT_FOUND, "hidden file segment");
				}
				segments.add(segment);
			}
		}
		boolean trailingSlash = encodedPath.charAt(encodedPath.length() - 1) == '/';
		return new SafePath(Collections.unmodifiableList(segments), trailingSlash);
	}

	private static String decodedSegment(String path, int from, int to) {
		String segment;
		try {
			segment = PercentDecoder.decode(path, from, to);
		}
		catch (MalformedEncodingException ex) {
			throw badRequest(ex.reason());
		}
		for (int i = 0; i < segment.length(); i++) {
			char c = segment.charAt(i);
			if (c == '/') {
				// The raw path was split at its slashes: one inside a segment was encoded.
				throw badRequest("encoded slash");
			}
			if (c == '\\') {
				throw badRequest("backslash");
			}
			if (c < 0x20 || c == 0x7f) {
				throw badRequest("control character");
			}
		}
		return segment;
	}

	private static PathRefusedException badRequest(String reason) {
		return new PathRefusedException(HttpStatus.BAD_REQUEST, reason);
	}

	/**
	 * Return the decoded segments: none is empty, {@code .} or {@code ..}, and none contains a slash,
	 * a backslash or a control character.
	 */
	public List<String> segments() {
		return this.segments;
	}

	/**
	 * Whether the request path ended with a slash (a request for a directory); true for {@code /}.
	 */
	public boolean hasTrailingSlash() {
		return this.trailingSlash;
	}

	/**
	 * Resolve this path against a directory without touching the file system. The result is always the directory
	 * itself or below it, lexically; symlinks are checked by {@link FileRoot}.
	 */
	public Path resolveAgainst(Path directory) {
		Path result = directory;
		for (String segment : this.segments) {
			result = result.resolve(segment);
		}
		return result;
	}

	@Override
	public String toString() {
		String joined = String.join("/", this.segments);
		return (joined.isEmpty() || !this.trailingSlash) ? "/" + joined : "/" + joined + "/";
	}

}
