package dev.lighttpdboot.gateway.connection;

import dev.lighttpdboot.gateway.GatewayBackend;
import reactor.core.publisher.Mono;
import reactor.pool.InstrumentedPool;

/**
 * A backend whose kept-alive connections are held by a {@link ConnectionEngine}: its name, queue, metrics and
 * disposal are the engine's. A protocol adds how one request becomes an exchange.
 * @param <C> the protocol's connection
 */
public abstract class PooledBackend<C extends PooledConnection> implements GatewayBackend {

	private final String name;

	private final ConnectionEngine<C> engine;

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param engine the pool of its connections
	 */
	protected PooledBackend(String name, ConnectionEngine<C> engine) {
		this.name = name;
		this.engine = engine;
	}

	@Override
	public final String name() {
		return this.name;
	}

	/**
	 * Return the pool of this backend's connections, to run exchanges on.
	 */
	protected final ConnectionEngine<C> engine() {
		return this.engine;
	}

	@Override
	public final int queued() {
		return this.engine.queued();
	}

	@Override
	public final Mono<Void> dispose() {
		return this.engine.dispose();
	}

	/**
	 * Return the number of connections in use and waiting requests, for metrics and balancing.
	 */
	public final InstrumentedPool.PoolMetrics metrics() {
		return this.engine.metrics();
	}

}
