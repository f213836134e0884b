package dev.lighttpdboot.secdownload;

/**
 * Records what became of each request under the secure-download uri-prefix. The auto-configuration supplies a
 * Micrometer implementation when Micrometer is present; {@link #NONE} records nothing.
 */
@FunctionalInterface
public interface SecureDownloadMetrics {

	/** Records nothing. */
	SecureDownloadMetrics NONE = (outcome) -> {
	};

	/**
	 * Record the outcome of one request. Called on the request's thread, possibly an event loop: must not block.
	 */
	void record(Outcome outcome);

	/** What became of a request under the uri-prefix; {@link #tag()} is its metric tag value. */
	enum Outcome {

		/** A valid link to a file: the file was sent (200, 206, 304, 416... as for any file). */
		OK("ok"),

		/** A token that does not match: 403. */
		BAD_TOKEN("bad-token"),

		/** A timestamp out of the window: 410. */
		EXPIRED("expired"),

		/** Not a link (missing parts, bad token length, bad timestamp): passed on down the filter chain. */
		MALFORMED("malformed"),

		/** A valid link to nothing (or to a hidden file): 404. */
		NOT_FOUND("not-found"),

		/** A path that may not reach the file system (400), a symlink out of the root or a directory (403). */
		REFUSED("refused");

		private final String tag;

		Outcome(String tag) {
			this.tag = tag;
		}

		/**
		 * Return the value of the {@code outcome} tag.
		 */
		public String tag() {
			return this.tag;
		}

	}

}
