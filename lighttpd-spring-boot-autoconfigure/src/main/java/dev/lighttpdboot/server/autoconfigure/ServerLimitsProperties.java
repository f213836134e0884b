package dev.lighttpdboot.server.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Connection-level limits of the embedded Reactor Netty server, with nginx's defaults: timeouts that close
 * connections of clients that are slow on purpose, a connection cap, strict HTTP/1.1 parsing and HTTP/2 stream
 * limits. A timeout of 0 turns it off.
 */
@ConfigurationProperties("lighttpd.server")
public class ServerLimitsProperties {

	/**
	 * Whether the server limits are applied.
	 */
	private boolean enabled = true;

	/**
	 * Longest time a whole request head may take to arrive, counted from its first byte; the client then gets 408
	 * and the connection is closed (nginx client_header_timeout).
	 */
	private Duration headerTimeout = Duration.ofSeconds(60);

	/**
	 * Longest gap between two reads of a request body before the connection is closed (nginx client_body_timeout).
	 */
	private Duration bodyTimeout = Duration.ofSeconds(60);

	/**
	 * Longest time an idle connection waits for its next request (nginx keepalive_timeout); server.netty.idle-timeout
	 * replaces it when set.
	 */
	private Duration keepAliveTimeout = Duration.ofSeconds(75);

	/**
	 * Longest time a response may make no progress towards a client that stopped reading before the connection is
	 * closed (nginx send_timeout).
	 */
	private Duration sendTimeout = Duration.ofSeconds(60);

	/**
	 * Most connections held at once; connections beyond are closed as soon as they are accepted (-1 for no limit).
	 */
	private int maxConnections = 10_000;

	/**
	 * Most requests served on one HTTP/1.1 connection (nginx keepalive_requests, -1 for no limit);
	 * server.netty.max-keep-alive-requests replaces it when set.
	 */
	private int maxKeepAliveRequests = 1000;

	/**
	 * Whether HTTP/1.1 request heads are checked before any handler: CONNECT and TRACE get 501, a missing or
	 * repeated Host 400, an unsupported version 505, a Transfer-Encoding other than chunked 400 or 501.
	 */
	private boolean strictHttp = true;

	/**
	 * Whether the flushes of a connection are joined (Netty's FlushConsolidationHandler): an answer written while a
	 * request is read leaves at the end of that read, one written from a backend's answer or after a hop at the end
	 * of the event loop's turn, so a client waiting for several answers is woken once.
	 */
	private boolean consolidateFlushes = true;

	/**
	 * Most bytes a connection's socket holds that are not sent yet, beyond those on their way (TCP_NOTSENT_LOWAT,
	 * with the epoll transport): the server refills the socket as the client takes what it holds, instead of
	 * handing the kernel megabytes at once. A client that reads slowly then holds this much of the kernel's memory,
	 * not the whole send buffer, and a large file reaches a fast client sooner. 0 leaves the kernel's setting
	 * (net.ipv4.tcp_notsent_lowat, unlimited by default).
	 */
	private DataSize unsentLimit = DataSize.ofKilobytes(256);

	private final Http2 http2 = new Http2();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getHeaderTimeout() {
		return this.headerTimeout;
	}

	public void setHeaderTimeout(Duration headerTimeout) {
		this.headerTimeout = headerTimeout;
	}

	public Duration getBodyTimeout() {
		return this.bodyTimeout;
	}

	public void setBodyTimeout(Duration bodyTimeout) {
		this.bodyTimeout = bodyTimeout;
	}

	public Duration getKeepAliveTimeout() {
		return this.keepAliveTimeout;
	}

	public void setKeepAliveTimeout(Duration keepAliveTimeout) {
		this.keepAliveTimeout = keepAliveTimeout;
	}

	public Duration getSendTimeout() {
		return this.sendTimeout;
	}

	public void setSendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public int getMaxKeepAliveRequests() {
		return this.maxKeepAliveRequests;
	}

	public void setMaxKeepAliveRequests(int maxKeepAliveRequests) {
		this.maxKeepAliveRequests = maxKeepAliveRequests;
	}

	public boolean isStrictHttp() {
		return this.strictHttp;
	}

	public void setStrictHttp(boolean strictHttp) {
		this.strictHttp = strictHttp;
	}

	public DataSize getUnsentLimit() {
		return this.unsentLimit;
	}

	public void setUnsentLimit(DataSize unsentLimit) {
		this.unsentLimit = unsentLimit;
	}

	public boolean isConsolidateFlushes() {
		return this.consolidateFlushes;
	}

	public void setConsolidateFlushes(boolean consolidateFlushes) {
		this.consolidateFlushes = consolidateFlushes;
	}

	public Http2 getHttp2() {
		return this.http2;
	}

	/**
	 * HTTP/2 limits.
	 */
	public static class Http2 {

		/**
		 * Most streams a client may have open at once on one connection (nginx http2_max_concurrent_streams).
		 */
		private long maxConcurrentStreams = 128;

		/**
		 * Most RST_STREAM frames a client may send per window before the connection is closed with GOAWAY
		 * (protection against rapid-reset floods, CVE-2023-44487).
		 */
		private int maxResetFrames = 200;

		/**
		 * Window over which RST_STREAM frames are counted (whole seconds).
		 */
		private Duration resetFramesWindow = Duration.ofSeconds(30);

		public long getMaxConcurrentStreams() {
			return this.maxConcurrentStreams;
		}

		public void setMaxConcurrentStreams(long maxConcurrentStreams) {
			this.maxConcurrentStreams = maxConcurrentStreams;
		}

		public int getMaxResetFrames() {
			return this.maxResetFrames;
		}

		public void setMaxResetFrames(int maxResetFrames) {
			this.maxResetFrames = maxResetFrames;
		}

		public Duration getResetFramesWindow() {
			return this.resetFramesWindow;
		}

		public void setResetFramesWindow(Duration resetFramesWindow) {
			this.resetFramesWindow = resetFramesWindow;
		}

	}

}
