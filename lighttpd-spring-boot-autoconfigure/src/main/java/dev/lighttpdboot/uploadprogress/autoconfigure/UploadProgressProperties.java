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
	 * Where progress is kept: memory (this node only) or redis (shared by the nodes behind a load balancer, through
	 * Spring Data Redis and the spring.data.redis.* settings).
	 */
	private Store store = Store.MEMORY;

	/**
	 * Settings of the Redis store (store=redis).
	 */
	private final Redis redis = new Redis();

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

	public Store getStore() {
		return this.store;
	}

	public void setStore(Store store) {
		this.store = store;
	}

	public Redis getRedis() {
		return this.redis;
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

	/**
	 * Where progress is kept.
	 */
	public enum Store {

		/** In this JVM: one node, or a balancer that sends an upload's polls to the node receiving it. */
		MEMORY,

		/** In Redis, shared by every node. */
		REDIS

	}

	/**
	 * Settings of the Redis store.
	 */
	public static class Redis {

		/**
		 * Prefix of the keys, one per upload, followed by the X-Progress-ID.
		 */
		private String keyPrefix = "lighttpd:upload-progress:";

		/**
		 * Least time between two writes of one running upload to Redis; the end of an upload is written at once.
		 */
		private Duration publishInterval = Duration.ofMillis(250);

		/**
		 * How long a Redis command may take before Redis counts as unavailable (polls are then answered from each
		 * node's own uploads until a PING succeeds again).
		 */
		private Duration timeout = Duration.ofSeconds(1);

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public Duration getPublishInterval() {
			return this.publishInterval;
		}

		public void setPublishInterval(Duration publishInterval) {
			this.publishInterval = publishInterval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
