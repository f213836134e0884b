package dev.lighttpdboot.server;

import java.time.Duration;

/**
 * The connection-level limits a server enforces. A zero duration or a limit below one turns that limit off.
 *
 * @param headerTimeout the longest a whole request head may take to arrive, from its first byte
 * @param bodyTimeout the longest gap between two reads of a request body
 * @param keepAliveTimeout the longest a connection may wait for its next request
 * @param sendTimeout the longest a response may make no progress towards the client
 * @param maxConnections the most connections held at once; more are closed as soon as they are accepted
 * @param maxKeepAliveRequests the most requests served on one HTTP/1.1 connection
 * @param strictHttp whether requests are checked for framing, Host, version and method before any handler
 * @param consolidateFlushes whether a connection's flushes are joined until the end of the event loop's turn
 * @param unsentLimit the most bytes a connection's socket holds that are not sent yet, beyond those in flight
 * ({@code TCP_NOTSENT_LOWAT}, epoll transport only); 0 or less leaves the kernel's setting
 * @param http2 the HTTP/2 limits
 */
public record ServerLimits(Duration headerTimeout, Duration bodyTimeout, Duration keepAliveTimeout,
		Duration sendTimeout, int maxConnections, int maxKeepAliveRequests, boolean strictHttp,
		boolean consolidateFlushes, long unsentLimit, Http2 http2) {

	/**
	 * The HTTP/2 limits of a connection.
	 *
	 * @param maxConcurrentStreams the most streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
	 * @param maxResetFrames the most RST_STREAM frames a client may send per window before the connection is
	 * closed (rapid-reset protection)
	 * @param resetFramesWindow the window over which RST_STREAM frames are counted
	 */
	public record Http2(long maxConcurrentStreams, int maxResetFrames, Duration resetFramesWindow) {
	}

	static boolean enabled(Duration timeout) {
		return timeout != null && !timeout.isZero() && !timeout.isNegative();
	}

}
