package dev.lighttpdboot.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.uploadprogress.UploadSinks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that are slow on purpose lose their connections once a timeout passes (1 s here, the keep-alive timeout
 * 3 s so that it never ends a slow head first; nginx's defaults are 60 s and 75 s), while a slow application keeps
 * its client.
 */
@SpringBootTest(classes = { TestApplication.class, UploadSinks.class, ServerTimeoutsIntegrationTests.SlowRoute.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.server.header-timeout=1s", "lighttpd.server.body-timeout=1s",
				"lighttpd.server.keep-alive-timeout=3s", "lighttpd.server.send-timeout=1s" })
class ServerTimeoutsIntegrationTests {

	private static final long BIG_FILE_SIZE = 64L * 1024 * 1024;

	private static final long MEDIUM_FILE_SIZE = 16L * 1024 * 1024;

	private static final Path root = createRoot();

	private static final Duration CLOSE_WITHIN = Duration.ofSeconds(15);

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void documentRoot(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", root::toString);
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileSystemUtils.deleteRecursively(root);
		LeakWatch.assertNoLeaks();
	}

	@Test
	void slowlorisConnectionsAreAnswered408AtTheHeaderDeadline() throws Exception {
		int count = 50;
		List<RawConnection> clients = new ArrayList<>();
		ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
		try {
			for (int i = 0; i < count; i++) {
				RawConnection client = RawConnection.open(this.port);
				client.write("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
				clients.add(client);
			}
			// One byte per connection every 200 ms: every read would reset an idle timeout, never this deadline.
			trickle.scheduleAtFixedRate(() -> clients.forEach((client) -> client.write("a")), 200, 200,
					TimeUnit.MILLISECONDS);
			long start = System.nanoTime();
			await().atMost(CLOSE_WITHIN).until(() -> clients.stream().allMatch(RawConnection::isClosedByServer));
			System.out.printf("%d slowloris connections closed after %d ms (header timeout 1 s)%n", count,
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
			// A trickled byte that meets the closed socket makes the client's kernel drop the unread 408: the
			// count of refusals is the server's own word.
			assertThat(clients).allSatisfy((client) -> assertThat(client.received()).satisfiesAnyOf(
					(text) -> assertThat(text).isEmpty(), (text) -> assertThat(text).startsWith("HTTP/1.1 408 ")));
			assertThat(refused(ServerRefusals.HEADER_TIMEOUT)).isGreaterThanOrEqualTo(count);
		}
		finally {
			trickle.shutdownNow();
			for (RawConnection client : clients) {
				client.close();
			}
		}
	}

	@Test
	void aConnectionThatNeverSendsIsClosed() throws IOException {
		try (RawConnection client = RawConnection.open(this.port)) {
			await().atMost(CLOSE_WITHIN).until(client::isClosedByServer);
		}
	}

	@Test
	void anIdleKeepAliveConnectionIsClosed() throws IOException {
		try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
			assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
			assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
			await().atMost(CLOSE_WITHIN).until(connection::isClosedByPeer);
		}
	}

	@Test
	void aBodyThatStopsArrivingIsCut() throws IOException {
		try (RawConnection client = RawConnection.open(this.port)) {
			client.write("POST /upload-sink HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n0123456789");
			await().atMost(CLOSE_WITHIN).until(client::isClosedByServer);
			assertThat(client.received()).startsWith("HTTP/1.1 408 ");
			assertThat(refused(ServerRefusals.BODY_TIMEOUT)).isPositive();
		}
	}

	@Test
	void aClientThatStopsReadingIsClosed() throws Exception {
		double before = refused(ServerRefusals.SEND_TIMEOUT);
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(4096);
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
			// Never read: the server's writes stall once the socket buffers are full.
			await().atMost(CLOSE_WITHIN).until(() -> refused(ServerRefusals.SEND_TIMEOUT) > before);
			socket.setSoTimeout(10_000);
			long read = drain(socket.getInputStream());
			assertThat(read).isLessThan(BIG_FILE_SIZE);
		}
	}

	@Test
	void aClientThatReadsSlowlyButSteadilyReceivesTheWholeFile() throws Exception {
		double before = refused(ServerRefusals.SEND_TIMEOUT);
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(64 * 1024);
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write("GET /medium.bin HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
			InputStream in = new BufferedInputStream(socket.getInputStream());
			StringBuilder head = new StringBuilder();
			while (!head.toString().endsWith("\r\n\r\n")) {
				int next = in.read();
				assertThat(next).as("the head ended early: " + head).isNotNegative();
				head.append((char) next);
			}
			assertThat(head.toString()).startsWith("HTTP/1.1 200 ");
			byte[] chunk = new byte[65536];
			long received = 0;
			long start = System.nanoTime();
			// 3 MiB, then a pause shorter than the send timeout: the send lasts several timeouts, never stalls for one.
			while (received < MEDIUM_FILE_SIZE) {
				long burst = 0;
				int n = 0;
				while (burst < 3 * 1024 * 1024 && received + burst < MEDIUM_FILE_SIZE && (n = in.read(chunk, 0,
						(int) Math.min(chunk.length, MEDIUM_FILE_SIZE - received - burst))) >= 0) {
					burst += n;
				}
				received += burst;
				if (n < 0) {
					break;
				}
				await().pollDelay(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> true);
			}
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(received).isEqualTo(MEDIUM_FILE_SIZE);
			assertThat(millis).as("the send lasted longer than twice the send timeout").isGreaterThan(2000);
			assertThat(refused(ServerRefusals.SEND_TIMEOUT)).isEqualTo(before);
		}
	}

	@Test
	void aSlowApplicationKeepsItsClient() throws IOException {
		// Longer than every timeout: the client is waiting, not misbehaving.
		RawHttp.Response response = new RawHttp(this.port).get("/slow");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.bodyText()).isEqualTo("finally");
	}

	private double refused(String reason) {
		Counter counter = this.meters.find("lighttpd.server.refused").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static long drain(InputStream in) throws IOException {
		byte[] chunk = new byte[65536];
		long total = 0;
		try {
			int n;
			while ((n = in.read(chunk)) >= 0) {
				total += n;
			}
		}
		catch (IOException ex) {
			// A reset after the close ends the stream as well.
		}
		return total;
	}

	private static Path createRoot() {
		try {
			Path dir = Files.createTempDirectory("server-timeouts");
			Files.writeString(dir.resolve("hello.txt"), "hello\n");
			try (RandomAccessFile big = new RandomAccessFile(dir.resolve("big.bin").toFile(), "rw")) {
				// Sparse: large enough to fill every socket buffer, cheap to create.
				big.setLength(BIG_FILE_SIZE);
			}
			try (RandomAccessFile medium = new RandomAccessFile(dir.resolve("medium.bin").toFile(), "rw")) {
				medium.setLength(MEDIUM_FILE_SIZE);
			}
			return dir;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class SlowRoute {

		@Bean
		RouterFunction<ServerResponse> slowRoute() {
			return RouterFunctions.route()
				.GET("/slow", (request) -> Mono.delay(Duration.ofMillis(2500))
					.then(ServerResponse.ok().bodyValue("finally")))
				.build();
		}

	}

}
