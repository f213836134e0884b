package dev.lighttpdboot.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connections waiting in the kernel's accept queue are accepted in batches, not one per turn of the event loop
 * (finding: with a thousand connections opened at once against a loaded server, Netty's epoll default of one
 * accept per turn left the last clients' first requests unanswered for up to 12 s). The loop that listens is held
 * busy while clients connect, so that all of them wait in the queue when it turns again.
 */
@SpringBootTest(classes = { TestApplication.class, AcceptBurstIntegrationTests.ListeningChannel.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AcceptBurstIntegrationTests extends RealServerTests {

	@Autowired
	ListeningChannel listening;

	@Test
	void aBurstOfPendingConnectionsIsAcceptedInOneBatch() throws IOException {
		assertThat(largestBatchAccepting(50)).isEqualTo(50);
	}

	@Test
	void aBatchIsBoundedSoTheConnectionsHeldAreServedInBetween() throws IOException {
		assertThat(largestBatchAccepting(ServerLimitsPipeline.ACCEPTS_PER_READ + 30))
			.isEqualTo(ServerLimitsPipeline.ACCEPTS_PER_READ);
	}

	private int largestBatchAccepting(int clients) throws IOException {
		Channel server = this.listening.channel();
		BatchCounter counter = new BatchCounter();
		server.pipeline().addFirst(counter);
		AtomicBoolean busy = new AtomicBoolean();
		AtomicBoolean release = new AtomicBoolean();
		List<Socket> sockets = new ArrayList<>();
		try {
			server.eventLoop().execute(() -> keepBusy(busy, release));
			await().atMost(Duration.ofSeconds(10)).untilTrue(busy);
			for (int i = 0; i < clients; i++) {
				sockets.add(new Socket(InetAddress.getLoopbackAddress(), this.port));
			}
			// connect returns when the client's side is established; the server's side joins the queue a moment
			// later, when the kernel has taken the client's last ACK.
			await().atMost(Duration.ofSeconds(10)).until(() -> acceptQueueLength(this.port) == clients);
			release.set(true);
			await().atMost(Duration.ofSeconds(10)).until(() -> counter.accepted.get() == clients);
			return counter.largest.get();
		}
		finally {
			release.set(true);
			for (Socket socket : sockets) {
				socket.close();
			}
			server.pipeline().remove(counter);
		}
	}

	/** The connections in the kernel's accept queue of the socket listening on {@code port}, from procfs. */
	private static int acceptQueueLength(int port) throws IOException {
		String localPort = String.format(":%04X ", port);
		int queued = 0;
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				// local_address rem_address st tx_queue:rx_queue; for a listening socket (st 0A) rx_queue is the
				// accept queue.
				if (fields.length > 4 && (fields[1] + " ").endsWith(localPort) && fields[3].equals("0A")) {
					queued += Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
				}
			}
		}
		return queued;
	}

	/**
	 * Holds the listening loop in one task until released or 10 s have passed: a plain busy loop, as BlockHound
	 * takes even {@code Thread.onSpinWait} for a blocking call on an event loop.
	 */
	private static void keepBusy(AtomicBoolean busy, AtomicBoolean release) {
		busy.set(true);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!release.get() && System.nanoTime() < deadline) {
			// spin
		}
	}

	/** Counts the connections accepted between two read-completes of the listening channel: one batch. */
	@ChannelHandler.Sharable
	private static final class BatchCounter extends ChannelInboundHandlerAdapter {

		/** Accepted in completed batches. */
		final AtomicInteger accepted = new AtomicInteger();

		final AtomicInteger largest = new AtomicInteger();

		private int batch;

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			this.batch++;
			ctx.fireChannelRead(msg);
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			this.largest.accumulateAndGet(this.batch, Math::max);
			this.accepted.addAndGet(this.batch);
			this.batch = 0;
			ctx.fireChannelReadComplete();
		}

	}

	/** Keeps the server's listening channel for the test. */
	@Configuration(proxyBeanMethods = false)
	static class ListeningChannel {

		private final AtomicReference<Channel> channel = new AtomicReference<>();

		@Bean
		NettyServerCustomizer listeningChannelKeeper() {
			return (server) -> server.doOnBound((bound) -> this.channel.set(bound.channel()));
		}

		Channel channel() {
			Channel bound = this.channel.get();
			assertThat(bound).as("the listening channel").isNotNull();
			return bound;
		}

	}

}
