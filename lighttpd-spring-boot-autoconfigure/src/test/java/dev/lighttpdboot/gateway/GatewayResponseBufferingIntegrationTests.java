package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.gateway.spool.ResponseBodyBuffer;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Response buffering against a real php-fpm with two workers: clients that do not read do not hold the workers,
 * unless the backend asks to stream.
 */
class GatewayResponseBufferingIntegrationTests extends RealServerTests {

	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2).maxRequests(50);

	private static Path spool;

	@Autowired
	private GatewayPools pools;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) throws IOException {
		spool = Files.createTempDirectory("lighttpd-response-spool-");
		registry.add("lighttpd.gateway.spool-directory", () -> spool.toString());
		registry.add("lighttpd.gateway.routes[0].name", () -> "php");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> phpFpm.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[0].backends[0].address", () -> "127.0.0.1:" + phpFpm.address().getPort());
		registry.add("lighttpd.gateway.routes[0].backends[0].max-connections", () -> "2");
	}

	@BeforeAll
	static void writeScripts() throws IOException {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
		Files.writeString(phpFpm.documentRoot().resolve("stream.php"), """
				<?php
				if (($_GET['mode'] ?? '') === 'events') { header('Content-Type: text/event-stream'); }
				if (($_GET['mode'] ?? '') === 'no') { header('X-Accel-Buffering: no'); }
				$chunk = str_repeat("data: x\\n\\n", 104857);
				for ($i = 0; $i < intval($_GET['mb'] ?? 16); $i++) { echo $chunk; flush(); }
				""");
	}

	@AfterAll
	static void deleteSpool() throws IOException {
		FileSystemUtils.deleteRecursively(spool);
	}

	@Test
	void clientsThatDoNotReadDoNotHoldTheWorkers() throws IOException {
		List<Socket> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				stalled.add(stalledReader("/big.php?mb=16"));
			}
			// Both workers answered completely although neither client reads.
			await().atMost(Duration.ofSeconds(30)).until(() -> backend().load() == 0);
			long start = System.nanoTime();
			get("/hello.php?name=third").exchange()
				.expectStatus().isOk()
				.expectBody(String.class).value((text) -> assertThat(text).startsWith("Hello third"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			assertThat(openSpoolFiles()).as("temporary files of the stalled responses").isEqualTo(2);
		}
		finally {
			closeAll(stalled);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> openSpoolFiles() == 0);
		assertThat(Files.list(spool).toList()).as("names left in the spool directory").isEmpty();
	}

	@Test
	void aBackendThatSaysXAccelBufferingNoStreamsWithBackPressure() throws IOException {
		assertStreams("/stream.php?mode=no");
	}

	@Test
	void eventStreamsStreamWithBackPressure() throws IOException {
		assertStreams("/stream.php?mode=events");
	}

	@Test
	void theXAccelBufferingHeaderDoesNotReachTheClient() {
		get("/stream.php?mode=no&mb=1").exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist(ResponseBodyBuffer.X_ACCEL_BUFFERING)
			.expectBody(byte[].class).value((body) -> assertThat(body).hasSize(104857 * 9));
	}

	private void assertStreams(String target) throws IOException {
		Socket stalled = stalledReader(target);
		try {
			// The worker stays busy writing what the client does not read.
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> backend().load() == 1);
			assertThat(openSpoolFiles()).isZero();
		}
		finally {
			closeAll(List.of(stalled));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> backend().load() == 0);
	}

	private PoolBackend backend() {
		return this.pools.get("php").backend(0);
	}

	/** A client that sends a request, reads the start of the answer and then nothing more. */
	private Socket stalledReader(String target) throws IOException {
		Socket socket = new Socket();
		// A small window: the kernel holds little of the response for this client.
		socket.setReceiveBufferSize(4096);
		socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
		socket.setSoTimeout(10_000);
		socket.getOutputStream()
			.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		InputStream in = socket.getInputStream();
		byte[] start = new byte[12];
		int read = 0;
		while (read < start.length) {
			int count = in.read(start, read, start.length - read);
			assertThat(count).isPositive();
			read += count;
		}
		assertThat(new String(start, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
		return socket;
	}

	private static void closeAll(List<Socket> sockets) throws IOException {
		for (Socket socket : sockets) {
			socket.close();
		}
	}

	/** Descriptors of this JVM open on files in the spool directory (the response files have no name). */
	private static long openSpoolFiles() {
		long count = 0;
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
			for (Path fd : fds) {
				try {
					if (Files.readSymbolicLink(fd).toString().startsWith(spool.toString() + "/")) {
						count++;
					}
				}
				catch (IOException ex) {
					// Closed meanwhile.
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return count;
	}

}
