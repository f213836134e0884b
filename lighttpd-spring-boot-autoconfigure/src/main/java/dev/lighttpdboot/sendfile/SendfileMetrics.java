package dev.lighttpdboot.sendfile;

import org.jspecify.annotations.Nullable;

/**
 * Receives an event for every sendfile header acted on; the auto-configuration records them with Micrometer.
 */
@FunctionalInterface
public interface SendfileMetrics {

	/** Records nothing. */
	SendfileMetrics NONE = (header, outcome, bytes) -> {
	};

	/**
	 * A sendfile header was handled.
	 * @param header the header name, for example {@code X-Sendfile}
	 * @param outcome {@code ok}, {@code forbidden}, {@code not-found} or {@code invalid}
	 * @param bytes the Content-Length sent, or 0
	 */
	void handled(String header, String outcome, long bytes);

}
