package dev.lighttpdboot.streaming;

/**
 * Receives an event for every pseudo-streaming seek; the auto-configuration records them with Micrometer.
 */
@FunctionalInterface
public interface StreamingMetrics {

	/** Records nothing. */
	StreamingMetrics NONE = (format, bytes) -> {
	};

	/**
	 * A seek was answered.
	 * @param format the media format, for example {@code flv}
	 * @param bytes the body length sent (format header included)
	 */
	void seek(String format, long bytes);

}
