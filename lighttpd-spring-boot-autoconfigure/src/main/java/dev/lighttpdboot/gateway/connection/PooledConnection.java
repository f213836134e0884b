package dev.lighttpdboot.gateway.connection;

import io.netty.channel.EventLoop;

/**
 * A connection to a backend that a {@link ConnectionPool} can hold: it carries one request at a time, lives on one
 * event loop, and says after each request whether it can carry another.
 */
public abstract class PooledConnection {

	/** Guarded by the pool that holds this connection. */
	int poolState;

	/** Guarded by the pool that holds this connection: when it became idle, in nanoTime. */
	long idleSince;

	/**
	 * Return the event loop the connection's socket is served by.
	 */
	public abstract EventLoop eventLoop();

	/**
	 * Whether the connection can carry another request: open, and its last response ended cleanly.
	 */
	public abstract boolean isReusable();

	/**
	 * Close the connection.
	 */
	public abstract void close();

	/**
	 * Run something when the connection closes, on its event loop (at once if it is closed already).
	 */
	public abstract void onClose(Runnable action);

}
