package dev.lighttpdboot.sendfile;

import java.nio.file.Path;
import java.util.List;

/**
 * What a handler asked for with a sendfile header, parsed but not yet checked against the file system.
 *
 * @param header the header that carried it, as configured (for logs and metrics)
 * @param kind how the file is named
 * @param path the decoded path: a file-system path for {@link Kind#FILE} and {@link Kind#RANGES}, a URI path for
 * {@link Kind#ACCEL_URI}
 * @param ranges the parts to send, for {@link Kind#RANGES} only
 */
public record SendfileInstruction(String header, Kind kind, String path, List<Part> ranges) {

	/** How the file is named. */
	public enum Kind {

		/** {@code X-Sendfile}, {@code X-LIGHTTPD-send-file}: a file-system path; the whole file, with Range. */
		FILE,

		/** {@code X-Sendfile2}: files and byte ranges, concatenated into one body. */
		RANGES,

		/** {@code X-Accel-Redirect}: a URI mapped to a directory through a prefix. */
		ACCEL_URI

	}

	/**
	 * One part of an {@code X-Sendfile2} body.
	 *
	 * @param path the decoded file-system path
	 * @param start the first byte
	 * @param end the last byte (inclusive), or -1 for the end of the file
	 */
	public record Part(Path path, long start, long end) {
	}

}
