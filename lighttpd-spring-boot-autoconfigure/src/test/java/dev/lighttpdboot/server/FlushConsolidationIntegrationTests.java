package dev.lighttpdboot.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.TestApplication;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection's flushes asked outside any read of it, as when a backend's answer is written from the backend's
 * connection, are joined until the end of the event loop's turn: two answers written and flushed one after the
 * other leave in one flush. With {@code lighttpd.server.consolidate-flushes=false} each one is flushed at once.
 */
class FlushConsolidationIntegrationTests {

	@Nested
	@SpringBootTest(classes = { TestApplication.class, AcceptedChannels.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	class Consolidated extends TwoAnswers {

		@Test
		void twoAnswersFlushedInOneTurnOfTheLoopLeaveInOneFlush() throws Exception {
			assertThat(writeTwoAnswers()).containsExactly("first", "second", "flush");
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, AcceptedChannels.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = "lighttpd.server.consolidate-flushes=false")
	class NotConsolidated extends TwoAnswers {

		@Test
		void eachAnswerIsFlushedAtOnce() throws Exception {
			assertThat(writeTwoAnswers()).containsExactly("first", "flush", "second", "flush");
		}

	}

	/** A server of the test application, and what it writes to its sockets. */
	abstract static class TwoAnswers {

		@LocalServerPort
		int port;

		@Autowired
		OutboundRecorder recorder;

		@Autowired
		AcceptedChannels accepted;

		List<String> writeTwoAnswers() throws Exception {
			return FlushConsolidationIntegrationTests.writeTwoAnswers(this.port, this.accepted, this.recorder);
		}

	}

	/**
	 * Open a connection and, in one task of its event loop, write and flush two answers from just behind the
	 * server's first handler of its own (where the HTTP codec's bytes pass); return what the socket was given, in
	 * order, once the client has both: the answers' texts and each flush.
	 */
	static List<String> writeTwoAnswers(int port, AcceptedChannels accepted, OutboundRecorder recorder)
			throws Exception {
		try (RawConnection client = RawConnection.open(port)) {
			Channel channel = accepted.next();
			recorder.clear();
			channel.eventLoop().execute(() -> {
				ChannelHandlerContext behindFront = channel.pipeline().context(SendTimeoutHandler.NAME);
				for (String answer : List.of("first", "second")) {
					behindFront.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII),
							behindFront.voidPromise());
				}
			});
			// Reading is what isClosedByServer does, a few milliseconds at a time.
			await().atMost(Duration.ofSeconds(10))
				.until(() -> !client.isClosedByServer() && client.received().equals("firstsecond"));
			return recorder.writesAndFlushes()
				.stream()
				.map((write) -> write.type().equals("flush") ? "flush" : (write.bytes() == 5) ? "first" : "second")
				.toList();
		}
	}

	/** Keeps each connection the server accepts, for the test to write to. */
	@Configuration(proxyBeanMethods = false)
	static class AcceptedChannels {

		private final BlockingQueue<Channel> channels = new LinkedBlockingQueue<>();

		@Bean
		NettyServerCustomizer acceptedChannelKeeper() {
			// When the connection is set up, not at its first request.
			return (server) -> server.doOnChannelInit((observer, channel, remoteAddress) -> this.channels.add(channel));
		}

		Channel next() throws InterruptedException {
			Channel channel = this.channels.poll(10, TimeUnit.SECONDS);
			assertThat(channel).as("an accepted connection").isNotNull();
			return channel;
		}

	}

}
