package dev.lighttpdboot.server;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * With HTTP/2 enabled (h2c by prior knowledge or by Upgrade, next to HTTP/1.1 on the same port): the stream limit
 * is advertised, a rapid-reset burst ends the attacker's connection and nobody else's, HTTP/1.1 clients still meet
 * the header deadline, HTTP/2 connections are not mistaken for slow HTTP/1.1 heads, and TRACE is refused on
 * streams too.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "server.http2.enabled=true", "lighttpd.server.header-timeout=1s",
				"lighttpd.server.http2.max-concurrent-streams=16", "lighttpd.server.http2.max-reset-frames=20" })
class Http2LimitsIntegrationTests extends RealServerTests {

	@Autowired
	MeterRegistry meters;

	@Test
	void theStreamLimitIsAdvertised() throws IOException {
		try (H2Frames h2 = H2Frames.connect(this.port)) {
			H2Frames.Frame settings = h2.readUntil(H2Frames.SETTINGS);
			assertThat(setting(settings.payload(), 0x3)).isEqualTo(16);
		}
	}

	@Test
	void aRapidResetBurstEndsInGoAwayAndOthersAreStillServed() throws IOException {
		try (H2Frames h2 = H2Frames.connect(this.port)) {
			// Beyond 20 resets in the window the connection goes; Netty's own default would allow 200.
			for (int i = 0; i < 100; i++) {
				int stream = 2 * i + 1;
				h2.get(stream, "/routed/shadowed.txt");
				h2.reset(stream);
			}
			H2Frames.Frame goAway = h2.readUntil(H2Frames.GOAWAY);
			assertThat(ByteBuffer.wrap(goAway.payload(), 4, 4).getInt()).as("ENHANCE_YOUR_CALM").isEqualTo(0xb);
			assertThatThrownBy(() -> {
				while (true) {
					h2.read();
				}
			}).isInstanceOfAny(EOFException.class, IOException.class);
		}
		assertThat(raw().get("/hello.txt").status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).until(() -> refused(ServerRefusals.HTTP2_PROTOCOL) > 0);
	}

	@Test
	void http2ConnectionsOutliveTheHeaderDeadlineWhileHttp11HeadsDoNot() throws Exception {
		try (H2Frames h2 = H2Frames.connect(this.port)) {
			h2.get(1, "/routed/shadowed.txt");
			h2.readUntilEnd(1);
			// Opened after the h2 connection, with the same deadline: once it is refused, the h2 connection's
			// deadline (had it one) has passed as well.
			try (RawConnection slow = RawConnection.open(this.port)) {
				slow.write("GET /hello.txt HTTP/1.1\r\nHost: local");
				await().atMost(Duration.ofSeconds(10)).until(slow::isClosedByServer);
				assertThat(slow.received()).startsWith("HTTP/1.1 408 ");
			}
			h2.ping();
			assertThat(h2.readUntil(H2Frames.PING).flags() & 0x1).as("PING ACK").isEqualTo(1);
			h2.get(3, "/routed/shadowed.txt");
			h2.readUntilEnd(3);
		}
		assertThat(refused(ServerRefusals.HEADER_TIMEOUT)).isPositive();
	}

	@Test
	void traceIsRefusedOnStreamsAfterAnUpgrade() throws Exception {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
		// A route, not a static file: static files over h2 are another feature's test.
		HttpResponse<String> upgrade = http.send(HttpRequest.newBuilder(URI.create(base() + "/routed/shadowed.txt"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(upgrade.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(upgrade.body()).isEqualTo("from a router function");
		HttpResponse<String> trace = http.send(HttpRequest.newBuilder(URI.create(base() + "/hello.txt"))
			.method("TRACE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(trace.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(trace.statusCode()).isEqualTo(501);
		assertThat(trace.body()).doesNotContain("hello");
	}

	@Test
	void filesAreSentOnHttp2Streams() throws Exception {
		// HTTP/2 rules out sendfile: the open file is read into buffers off the event loop (BlockHound watches).
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
		http.send(HttpRequest.newBuilder(URI.create(base() + "/routed/shadowed.txt")).build(),
				HttpResponse.BodyHandlers.discarding());
		HttpResponse<byte[]> big = http.send(HttpRequest.newBuilder(URI.create(base() + "/big.bin")).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(big.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(big.statusCode()).isEqualTo(200);
		assertThat(big.body()).isEqualTo(site.big());
		HttpResponse<String> range = http.send(HttpRequest.newBuilder(URI.create(base() + "/hello.txt"))
			.header("Range", "bytes=0-4").build(), HttpResponse.BodyHandlers.ofString());
		assertThat(range.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(range.statusCode()).isEqualTo(206);
		assertThat(range.body()).isEqualTo(TestSite.HELLO.substring(0, 5));
	}

	private double refused(String reason) {
		Counter counter = this.meters.find("lighttpd.server.refused").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static long setting(byte[] payload, int id) {
		ByteBuffer settings = ByteBuffer.wrap(payload);
		while (settings.remaining() >= 6) {
			int key = settings.getShort() & 0xffff;
			long value = settings.getInt() & 0xffffffffL;
			if (key == id) {
				return value;
			}
		}
		return -1;
	}

}
