package dev.lighttpdboot.gateway.ajp13;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;

import dev.lighttpdboot.gateway.BackendProbe;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.tcp.TcpClient;

/**
 * The {@link BackendProbe} of AJP13: a CPING on a connection of its own, answered by a CPONG. Unlike a bare
 * connect, it tells a container that takes requests from a port that only accepts them (Tomcat's acceptor
 * accepts while its request threads are stuck, and a CPONG is written by them).
 */
public final class Ajp13Probe implements BackendProbe {

	/** A CPING packet. */
	static final byte[] CPING = { 0x12, 0x34, 0, 1, Ajp13.CPING };

	/** The CPONG packet that answers it. */
	static final byte[] CPONG = { 'A', 'B', 0, 1, Ajp13.CPONG };

	private final TcpClient client;

	/**
	 * Create a probe.
	 * @param address where the container listens
	 * @param connectTimeout how long a connect may take (the prober bounds the whole check)
	 */
	public Ajp13Probe(SocketAddress address, Duration connectTimeout) {
		this.client = TcpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()));
	}

	@Override
	public Mono<Void> check() {
		// Connected from a thread that may block, as ConnectProbe explains.
		return this.client.connect().subscribeOn(Schedulers.boundedElastic()).flatMap((connection) -> connection
			.outbound()
			.sendByteArray(Mono.just(CPING))
			.then()
			.then(connection.inbound()
				.receive()
				.asByteArray()
				.scanWith(() -> new byte[0], Ajp13Probe::append)
				.filter((received) -> received.length >= CPONG.length)
				.next()
				.switchIfEmpty(Mono.error(() -> new IllegalStateException("the container closed without a CPONG"))))
			.flatMap((received) -> Arrays.equals(Arrays.copyOf(received, CPONG.length), CPONG) ? Mono.<Void>empty()
					: Mono.error(new IllegalStateException("the container answered the CPING with something else")))
			.doFinally((signal) -> connection.dispose()));
	}

	private static byte[] append(byte[] received, byte[] more) {
		byte[] all = Arrays.copyOf(received, received.length + more.length);
		System.arraycopy(more, 0, all, received.length, more.length);
		return all;
	}

}
