package dev.lighttpdboot.uploadprogress;

/**
 * Receives the counter's events; the auto-configuration records them with Micrometer. Called on event loops, so
 * implementations must not block.
 */
public interface UploadProgressMetrics {

	/** Records nothing. */
	UploadProgressMetrics NONE = new UploadProgressMetrics() {
	};

	/**
	 * An upload with a progress id began.
	 */
	default void started() {
	}

	/**
	 * Body bytes of a tracked upload were read.
	 * @param bytes how many, in this chunk
	 */
	default void received(long bytes) {
	}

	/**
	 * A tracked upload ended.
	 * @param outcome {@code done}, {@code too-large} (413), {@code failed} (another 4xx or 5xx) or {@code aborted}
	 * (the client went away)
	 */
	default void finished(String outcome) {
	}

}
