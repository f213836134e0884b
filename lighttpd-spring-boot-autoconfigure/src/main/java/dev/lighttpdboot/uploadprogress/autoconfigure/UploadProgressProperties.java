package dev.lighttpdboot.uploadprogress.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of upload progress: uploads that carry an X-Progress-ID are counted as they arrive, and a JSON
 * endpoint reports them, as lighttpd's and nginx's upload-progress modules do.
 */
@ConfigurationProperties("lighttpd.upload-progress")
public class UploadProgressProperties {

	/**
	 * Whether uploads with an X-Progress-ID are counted and reported.
	 */
	private boolean enabled = true;

	/**
	 * Path of the progress endpoint (GET with the X-Progress-ID query parameter or header).
	 */
	private String path = "/progress";

	/**
	 * How long a finished upload (done or error) is still reported before it is forgotten.
	 */
	private Duration retention = Duration.ofSeconds(60);

	/**
	 * Most uploads the in-memory store keeps; beyond it the upload that finished first is forgotten early.
	 */
	private int maxEntries = 10_000;

	/**
	 * How often an event stream (Accept: text/event-stream) looks for a change to send.
	 */
	private Duration eventInterval = Duration.ofMillis(500);

	/**
	 * How long an event stream goes on without a change before it ends (an EventSource then reconnects).
	 */
	private Duration eventIdleTimeout = Duration.ofSeconds(60);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public Duration getRetention() {
		return this.retention;
	}

	public void setRetention(Duration retention) {
		this.retention = retention;
	}

	public int getMaxEntries() {
		return this.maxEntries;
	}

	public void setMaxEntries(int maxEntries) {
		this.maxEntries = maxEntries;
	}

	public Duration getEventInterval() {
		return this.eventInterval;
	}

	public void setEventInterval(Duration eventInterval) {
		this.eventInterval = eventInterval;
	}

	public Duration getEventIdleTimeout() {
		return this.eventIdleTimeout;
	}

	public void setEventIdleTimeout(Duration eventIdleTimeout) {
		this.eventIdleTimeout = eventIdleTimeout;
	}

}
