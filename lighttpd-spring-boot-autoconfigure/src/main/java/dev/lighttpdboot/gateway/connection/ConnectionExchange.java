package dev.lighttpdboot.gateway.connection;

/**
 * One request on one pooled connection, in a protocol's terms: it writes the request, reads the response and
 * tells its {@link ExchangeListener} what became of it.
 * @param <C> the protocol's connection
 */
public interface ConnectionExchange<C extends PooledConnection> {

	/**
	 * Start the request on a connection the pool granted; events follow on the connection's event loop.
	 */
	void start(C connection);

	/**
	 * The consumer of the head went away before it arrived; any thread.
	 */
	void cancel();

}
