package dev.lighttpdboot.gateway;

import java.time.Duration;

/**
 * Limits of the connections to one backend, whatever its protocol.
 *
 * @param maxConnections the most connections open (or requests in flight) at once
 * @param queueLimit the most requests waiting for a connection; beyond it this server answers 503 without
 * disabling the backend
 * @param connectTimeout how long a connection may take to open
 * @param readTimeout how long the backend may stay silent while a response is expected (504)
 * @param maxIdleTime how long an unused kept-alive connection is kept open
 * @param maxHeadSize the largest response head accepted (502 beyond)
 */
public record BackendOptions(int maxConnections, int queueLimit, Duration connectTimeout, Duration readTimeout,
		Duration maxIdleTime, int maxHeadSize) {

	/** 4 connections, 64 waiting, 2 s to connect, 60 s to answer, 30 s idle, 64 KiB of head. */
	public static final BackendOptions DEFAULTS = new BackendOptions(4, 64, Duration.ofSeconds(2),
			Duration.ofSeconds(60), Duration.ofSeconds(30), 64 * 1024);

	public BackendOptions {
		if (maxConnections < 1 || queueLimit < 0) {
			throw new IllegalArgumentException("maxConnections must be positive and queueLimit not negative");
		}
	}

}
