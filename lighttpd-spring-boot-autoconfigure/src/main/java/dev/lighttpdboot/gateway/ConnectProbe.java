package dev.lighttpdboot.gateway;

import java.net.SocketAddress;
import java.time.Duration;

import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.tcp.TcpClient;

/**
 * A {@link BackendProbe} that opens a connection to the backend and closes it at once: a listening socket with a
 * process behind it is as much as every protocol guarantees. The connection is not one of the pool's (it does not
 * count against {@code max-connections}) and carries no request, so the backend's workers see only an accept and a
 * close.
 */
public final class ConnectProbe implements BackendProbe {

	private final TcpClient client;

	/**
	 * Create a probe.
	 * @param address where the backend listens ({@code InetSocketAddress}, possibly unresolved, or
	 * {@code DomainSocketAddress})
	 * @param connectTimeout how long a connect may take
	 */
	public ConnectProbe(SocketAddress address, Duration connectTimeout) {
		this.client = TcpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()));
	}

	@Override
	public Mono<Void> check() {
		// Started from a thread that may block: the first socket a JVM opens loads the JDK's network properties
		// from a file in a class initializer, which must not happen on the prober's (non-blocking) timer thread.
		return this.client.connect()
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((connection) -> {
				connection.dispose();
				return connection.onDispose();
			});
	}

}
