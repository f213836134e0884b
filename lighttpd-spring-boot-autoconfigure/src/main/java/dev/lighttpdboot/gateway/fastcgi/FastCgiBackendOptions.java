package dev.lighttpdboot.gateway.fastcgi;

import java.time.Duration;

/**
 * Limits of the connections to one FastCGI backend.
 *
 * @param maxConnections the most connections open at once (php-fpm serves one connection per worker: more than
 * its workers only makes requests wait inside php-fpm instead of here)
 * @param queueLimit the most requests waiting for a connection; beyond it the backend counts as overloaded (503)
 * @param connectTimeout how long a connection may take to open
 * @param readTimeout how long the backend may stay silent while a response is expected (504)
 * @param maxIdleTime how long an unused connection is kept open
 * @param maxHeadSize the largest response head accepted (502 beyond)
 */
public record FastCgiBackendOptions(int maxConnections, int queueLimit, Duration connectTimeout, Duration readTimeout,
		Duration maxIdleTime, int maxHeadSize) {

	/**
	 * 4 connections (below php-fpm's default of 5 workers), 64 waiting, 2 s to connect, 60 s to answer, 30 s idle,
	 * 64 KiB of head.
	 */
	public static final FastCgiBackendOptions DEFAULTS = new FastCgiBackendOptions(4, 64, Duration.ofSeconds(2),
			Duration.ofSeconds(60), Duration.ofSeconds(30), 64 * 1024);

	public FastCgiBackendOptions {
		if (maxConnections < 1 || queueLimit < 0) {
			throw new IllegalArgumentException("maxConnections must be positive and queueLimit not negative");
		}
	}

}
