package dev.lighttpdboot.gateway.connection;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayResponse;

/**
 * What becomes of a {@link ConnectionExchange}, heard on the connection's event loop.
 * @param <C> the protocol's connection
 */
public interface ExchangeListener<C extends PooledConnection> {

	/**
	 * The response head arrived; the body follows in the response.
	 */
	void head(GatewayResponse response);

	/**
	 * The request failed before its head arrived.
	 * @param ex why
	 * @param reused whether the connection had carried a request before this one
	 */
	void failed(BackendException ex, boolean reused);

	/**
	 * The connection is free: reusable if the response ended cleanly, else closed. Called once, before the head or
	 * the failure is signalled when they come together.
	 */
	void done(C connection);

}
