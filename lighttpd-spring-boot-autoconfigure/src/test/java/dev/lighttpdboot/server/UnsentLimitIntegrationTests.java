package dev.lighttpdboot.server;

import java.io.IOException;

import dev.lighttpdboot.test.TestApplication;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each accepted connection's socket holds at most {@code lighttpd.server.unsent-limit} bytes not sent yet
 * ({@code TCP_NOTSENT_LOWAT}, read back from the socket): 256 KiB by default, none of its own with 0.
 */
class UnsentLimitIntegrationTests {

	@Nested
	@SpringBootTest(classes = { TestApplication.class, FlushConsolidationIntegrationTests.AcceptedChannels.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	class ByDefault extends AcceptedSockets {

		@Test
		void aConnectionsSocketHoldsAtMost256KiBNotSentYet() throws Exception {
			assertThat(unsentLimitOfTheNextConnection()).isEqualTo(256 * 1024);
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, FlushConsolidationIntegrationTests.AcceptedChannels.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "lighttpd.server.unsent-limit=64KB")
	class Chosen extends AcceptedSockets {

		@Test
		void aConnectionsSocketHoldsAtMostTheChosenSizeNotSentYet() throws Exception {
			assertThat(unsentLimitOfTheNextConnection()).isEqualTo(64 * 1024);
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, FlushConsolidationIntegrationTests.AcceptedChannels.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "lighttpd.server.unsent-limit=0")
	class Off extends AcceptedSockets {

		@Test
		void aConnectionsSocketKeepsTheKernelsSetting() throws Exception {
			// A socket without a limit of its own (0) follows net.ipv4.tcp_notsent_lowat.
			assertThat(unsentLimitOfTheNextConnection()).isZero();
		}

	}

	/** A server of the test application, and the sockets it accepts. */
	abstract static class AcceptedSockets {

		@LocalServerPort
		int port;

		@Autowired
		FlushConsolidationIntegrationTests.AcceptedChannels accepted;

		long unsentLimitOfTheNextConnection() throws InterruptedException, IOException {
			try (RawConnection client = RawConnection.open(this.port)) {
				Channel channel = this.accepted.next();
				assertThat(channel).isInstanceOf(EpollSocketChannel.class);
				return channel.config().getOption(EpollChannelOption.TCP_NOTSENT_LOWAT);
			}
		}

	}

}
