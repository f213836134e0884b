package dev.lighttpdboot.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.TestApplication;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import reactor.core.publisher.Mono;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile file owner swaps a served file for a symlink to a file outside every root and back, as fast as it
 * can, while clients fetch it as a static file, through X-Sendfile and through a signed link. No response may
 * carry a byte of the outside file: each request gets the safe file or a refusal (403/404), never the decoy, and
 * never a body that disagrees with its Content-Length.
 * <p>The race runs for {@code -Drace.seconds} (default 5) per stat-cache setting; the counts are printed.
 */
class FileSwapRaceIntegrationTests {

	private static final String SECRET = "race-secret-51d0";

	/** The served file's content (20 bytes); every swap back writes a new file with it. */
	static final byte[] SAFE = "SAFE-SAFE-SAFE-SAFE\n".getBytes(StandardCharsets.US_ASCII);

	/** The decoy outside the roots, longer than the safe file so a leak is never short of bytes. */
	static final byte[] DECOY = "OUTSIDE-DECOY-".repeat(8).getBytes(StandardCharsets.US_ASCII);

	static final Path base;

	static final Path root;

	static final Path decoy;

	static {
		try {
			base = Files.createTempDirectory("file-swap-race").toRealPath();
			root = Files.createDirectories(base.resolve("www"));
			decoy = Files.write(Files.createDirectories(base.resolve("outside")).resolve("decoy.txt"), DECOY,
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			Files.write(root.resolve("f.txt"), SAFE, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@AfterAll
	static void cleanUp() throws IOException {
		// walkFileTree does not follow links: the symlink is removed, never its target.
		FileSystemUtils.deleteRecursively(base);
		LeakWatch.assertNoLeaks();
	}

	static void roots(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", root::toString);
		registry.add("lighttpd.sendfile.allowed-roots", root::toString);
		registry.add("lighttpd.secdownload.document-root", root::toString);
	}

	/** A handler that answers with X-Sendfile naming the racing file. */
	@Configuration(proxyBeanMethods = false)
	static class SendfileRoute {

		@Bean
		RouterFunction<ServerResponse> xSendfileRoute() {
			return RouterFunctions.route()
				.GET("/xs", (request) -> ServerResponse.ok()
					.header("X-Sendfile", root.resolve("f.txt").toString())
					.build())
				.build();
		}

	}

	abstract static class Race {

		@LocalServerPort
		int port;

		@Autowired
		SecureLinks links;

		@Test
		void noByteFromOutsideTheRootEverLeavesWhileTheFileIsSwapped() throws Exception {
			long seconds = Long.getLong("race.seconds", 5);
			Tally staticFiles = new Tally("static");
			Tally xSendfile = new Tally("X-Sendfile");
			Tally signedLinks = new Tally("signed link");
			HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(5)).build();
			AtomicBoolean running = new AtomicBoolean(true);
			ExecutorService threads = Executors.newFixedThreadPool(4);
			try {
				Future<Long> swaps = threads.submit(() -> swapUntilStopped(running));
				List<Future<?>> clients = new ArrayList<>();
				clients.add(threads.submit(() -> fetch(client, running, staticFiles, () -> "/f.txt")));
				clients.add(threads.submit(() -> fetch(client, running, xSendfile, () -> "/xs")));
				clients.add(threads.submit(() -> fetch(client, running, signedLinks, () -> this.links.link("/f.txt"))));
				// The bounded race: the clients stop by themselves when the time is up.
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
				for (Future<?> each : clients) {
					each.get(seconds + 60, TimeUnit.SECONDS);
				}
				assertThat(System.nanoTime()).isGreaterThanOrEqualTo(deadline - TimeUnit.SECONDS.toNanos(1));
				running.set(false);
				long swapCount = swaps.get(30, TimeUnit.SECONDS);
				System.out.println("File-swap race (" + getClass().getSimpleName() + ", " + seconds + " s, " + swapCount
						+ " swaps): " + staticFiles + "; " + xSendfile + "; " + signedLinks);
				assertThat(swapCount).isPositive();
			}
			finally {
				running.set(false);
				threads.shutdownNow();
				threads.awaitTermination(30, TimeUnit.SECONDS);
			}
			for (Tally tally : List.of(staticFiles, xSendfile, signedLinks)) {
				assertThat(tally.leaked.get()).as(tally.toString()).isZero();
				assertThat(tally.odd.get()).as(tally.toString()).isZero();
				assertThat(tally.broken.get()).as(tally.toString()).isZero();
			}
			// The refusals came from the race, not from a feature that no longer works: with the safe file back in
			// place, each feature serves it (a stat cache may still remember a file replaced since).
			for (String target : List.of("/f.txt", "/xs", this.links.link("/f.txt"))) {
				HttpResponse<byte[]> response = client.send(HttpRequest
					.newBuilder(URI.create("http://127.0.0.1:" + this.port + target)).timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.ofByteArray());
				assertThat(response.statusCode()).as(target).isEqualTo(200);
				assertThat(response.body()).as(target).isEqualTo(SAFE);
			}
		}

		private Void fetch(HttpClient client, AtomicBoolean running, Tally tally, Supplier<String> target)
				throws Exception {
			long seconds = Long.getLong("race.seconds", 5);
			long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
			while (running.get() && System.nanoTime() < end) {
				HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + target.get()))
					.timeout(Duration.ofSeconds(10)).build();
				try {
					HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
					tally.count(response.statusCode(), response.body());
				}
				catch (IOException ex) {
					// A body shorter than its Content-Length: the headers described one file, the bytes another.
					tally.broken(ex);
				}
			}
			return null;
		}

		private static long swapUntilStopped(AtomicBoolean running) throws IOException {
			Path target = root.resolve("f.txt");
			Path link = root.resolve("f.tmp");
			Path fresh = root.resolve("f.new");
			Path scratch = root.resolve("scratch.tmp");
			long swaps = 0;
			while (running.get()) {
				// The safe file is in place: prepare the link, and do as much work as the other half does, so that
				// both states last about as long.
				Files.createSymbolicLink(link, decoy);
				Files.write(scratch, SAFE, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.delete(scratch);
				// mv -T: rename(2) replaces the name atomically, never writing through it.
				Files.move(link, target, StandardCopyOption.ATOMIC_MOVE);
				// The link is in place: prepare a new safe file (a new inode, as an editor saving it would make).
				Files.write(fresh, SAFE, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
				swaps++;
			}
			return swaps;
		}

	}

	static final class Tally {

		final String name;

		final AtomicLong total = new AtomicLong();

		final AtomicLong safe = new AtomicLong();

		final AtomicLong refused = new AtomicLong();

		final AtomicLong leaked = new AtomicLong();

		final AtomicLong odd = new AtomicLong();

		final AtomicLong broken = new AtomicLong();

		Tally(String name) {
			this.name = name;
		}

		void count(int status, byte[] body) {
			this.total.incrementAndGet();
			String text = new String(body, StandardCharsets.US_ASCII);
			if (text.contains("OUTSIDE")) {
				this.leaked.incrementAndGet();
			}
			else if (status == 200 && Arrays.equals(body, SAFE)) {
				this.safe.incrementAndGet();
			}
			else if (status == 403 || status == 404) {
				this.refused.incrementAndGet();
			}
			else {
				this.odd.incrementAndGet();
				System.out.println("Unexpected answer for " + this.name + ": " + status + " " + text);
			}
		}

		void broken(IOException ex) {
			this.total.incrementAndGet();
			if (this.broken.incrementAndGet() == 1) {
				System.out.println("Broken answer for " + this.name + ": " + ex);
			}
		}

		@Override
		public String toString() {
			return this.name + ": leaked " + this.leaked + " of " + this.total + " (safe " + this.safe + ", refused "
					+ this.refused + ", broken " + this.broken + ", other " + this.odd + ")";
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, SendfileRoute.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET })
	class WithStatCache extends Race {

		@DynamicPropertySource
		static void properties(DynamicPropertyRegistry registry) {
			roots(registry);
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, SendfileRoute.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET,
					"lighttpd.files.stat-cache-validity=0" })
	class WithoutStatCache extends Race {

		@DynamicPropertySource
		static void properties(DynamicPropertyRegistry registry) {
			roots(registry);
		}

	}

	/**
	 * The stat cache trusts what it saw for ten minutes here, so every request after the first is answered from a
	 * snapshot of a file that is no longer there: the opened file must decide what is sent.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, SendfileRoute.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET,
					"lighttpd.files.stat-cache-validity=10m" })
	class ReplacedWhileCached {

		@LocalServerPort
		int port;

		@Autowired
		SecureLinks links;

		@DynamicPropertySource
		static void properties(DynamicPropertyRegistry registry) {
			roots(registry);
		}

		@AfterEach
		void removeWhatTheTestsWrote() throws IOException {
			// The same tests run again in the direct-dispatch subclass, over the same root.
			for (String name : List.of("swapped.txt", "swapped.tmp", "replaced.txt", "replaced.new", "fd.flv",
					"fd-big.bin")) {
				Files.deleteIfExists(root.resolve(name));
			}
		}

		@Test
		void aSymlinkSwappedInAfterTheCheckIsNeverFollowed() throws Exception {
			Path file = Files.write(root.resolve("swapped.txt"), SAFE, StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE);
			for (String target : List.of("/swapped.txt", this.links.link("/swapped.txt"))) {
				assertThat(raw().get(target).status()).as(target).isEqualTo(200);
			}
			Path link = Files.createSymbolicLink(root.resolve("swapped.tmp"), decoy);
			Files.move(link, file, StandardCopyOption.ATOMIC_MOVE);
			for (String target : List.of("/swapped.txt", this.links.link("/swapped.txt"))) {
				RawHttp.Response response = raw().get(target);
				assertThat(response.bodyText()).as(target).doesNotContain("OUTSIDE");
				assertThat(response.status()).as(target).isEqualTo(404);
			}
		}

		@Test
		void aFileReplacedAfterTheCheckIsSentAsItIsNowWithItsOwnValidators() throws Exception {
			Path file = Files.writeString(root.resolve("replaced.txt"), "first\n", StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE);
			RawHttp.Response first = raw().get("/replaced.txt");
			assertThat(first.bodyText()).isEqualTo("first\n");
			Path next = Files.writeString(root.resolve("replaced.new"), "second, and longer\n",
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
			for (String target : List.of("/replaced.txt", this.links.link("/replaced.txt"))) {
				RawHttp.Response second = raw().get(target);
				assertThat(second.status()).as(target).isEqualTo(200);
				assertThat(second.bodyText()).as(target).isEqualTo("second, and longer\n");
				assertThat(second.header("content-length")).as(target).isEqualTo("19");
				assertThat(second.header("etag")).as(target).isNotEqualTo(first.header("etag"));
			}
		}

		@Test
		void noDescriptorOutlivesItsResponse() throws Exception {
			// Small bodies for the many answers, so that little garbage is made: a channel nobody closed would be
			// closed by the garbage collector sooner or later, hiding the leak.
			byte[] small = new byte[100_013];
			new Random(11).nextBytes(small);
			System.arraycopy(new byte[] { 'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0 }, 0, small, 0, 13);
			Files.write(root.resolve("fd.flv"), small, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			byte[] big = new byte[16 * 1024 * 1024];
			Files.write(root.resolve("fd-big.bin"), big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			String etag = raw().exchange("HEAD", "/fd.flv", "").header("etag");
			for (int i = 0; i < 10; i++) {
				assertThat(raw().get("/fd.flv").body()).isEqualTo(small);
				assertThat(raw().exchange("GET", "/fd.flv", "Range: bytes=10-19\r\n").status()).isEqualTo(206);
				assertThat(raw().exchange("GET", "/fd.flv", "Range: bytes=0-0,5-5\r\n").status()).isEqualTo(206);
				assertThat(raw().exchange("GET", "/fd.flv", "Range: bytes=99999999-\r\n").status()).isEqualTo(416);
				assertThat(raw().exchange("GET", "/fd.flv", "If-None-Match: " + etag + "\r\n").status())
					.isEqualTo(304);
				assertThat(raw().exchange("GET", "/fd.flv", "If-Match: \"other\"\r\n").status()).isEqualTo(412);
				assertThat(raw().exchange("HEAD", "/fd.flv", "").status()).isEqualTo(200);
				assertThat(raw().get("/fd.flv?start=13").body()).hasSize(small.length);
				assertThat(raw().get("/xs").status()).isEqualTo(200);
				assertThat(raw().get(this.links.link("/fd.flv")).body()).isEqualTo(small);
				abortAfterFirstBytes("/fd-big.bin");
				abortAfterFirstBytes(this.links.link("/fd-big.bin"));
			}
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(descriptorsUnder(base)).isEmpty());
		}

		private void abortAfterFirstBytes(String target) throws IOException {
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				socket.setSoTimeout(10_000);
				socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
				assertThat(socket.getInputStream().readNBytes(1024)).hasSize(1024);
				// Closed with most of the body unread: the server's write fails or is cancelled.
				socket.setSoLinger(true, 0);
			}
		}

		private RawHttp raw() {
			return new RawHttp(this.port);
		}

	}

	/** Adds a header when WebFlux commits a response: files sent from a descriptor keep the commit semantics. */
	@Configuration(proxyBeanMethods = false)
	static class CommitMarker {

		@Bean
		WebFilter commitMarker() {
			return (exchange, chain) -> {
				exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(
						() -> exchange.getResponse().getHeaders().set("X-Committed", "yes")));
				return chain.filter(exchange);
			};
		}

	}

	/**
	 * Every test of {@link ReplacedWhileCached}, with the document root and signed links served ahead of the
	 * application ({@code lighttpd.files.dispatch=direct}).
	 */
	@Nested
	@TestPropertySource(properties = "lighttpd.files.dispatch=direct")
	class ReplacedWhileCachedDirect extends ReplacedWhileCached {

	}

	/**
	 * What sending from the open descriptor puts on the wire: a response's headers once and its body as one file
	 * region, on a connection that stays open for the next request; or, where a region cannot go out (compression),
	 * buffers read from the same descriptor.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, SendfileRoute.class, CommitMarker.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "server.compression.enabled=true", "server.compression.mime-types=text/css",
					"server.compression.min-response-size=1" })
	class OnTheWire {

		@LocalServerPort
		int port;

		@Autowired
		OutboundRecorder recorder;

		@DynamicPropertySource
		static void properties(DynamicPropertyRegistry registry) {
			roots(registry);
		}

		@Test
		void oneRegionPerBodyAndTheConnectionStaysOpen() throws Exception {
			byte[] content = new byte[300_000];
			new Random(3).nextBytes(content);
			Files.write(root.resolve("wire.bin"), content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			this.recorder.clear();
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				RawHttp.Response whole = connection.exchange("GET", "/wire.bin", "");
				assertThat(whole.status()).isEqualTo(200);
				assertThat(whole.header("content-length")).isEqualTo("300000");
				assertThat(whole.header("x-committed")).isEqualTo("yes");
				assertThat(whole.body()).isEqualTo(content);
				RawHttp.Response head = connection.exchange("HEAD", "/wire.bin", "");
				assertThat(head.status()).isEqualTo(200);
				assertThat(head.header("content-length")).isEqualTo("300000");
				RawHttp.Response range = connection.exchange("GET", "/wire.bin", "Range: bytes=1000-1999\r\n");
				assertThat(range.status()).isEqualTo(206);
				assertThat(range.header("x-committed")).isEqualTo("yes");
				assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 2000));
				RawHttp.Response parts = connection.exchange("GET", "/wire.bin", "Range: bytes=0-1,10-11\r\n");
				assertThat(parts.status()).isEqualTo(206);
				assertThat(parts.bodyText()).startsWith("\r\n--").contains("Content-Range: bytes 10-11/300000");
				RawHttp.Response again = connection.exchange("GET", "/wire.bin", "");
				assertThat(again.body()).isEqualTo(content);
			}
			Awaitility.await().untilAsserted(() -> assertThat(this.recorder.writes()
				.stream().filter(OutboundRecorder.Write::isFileRegion).map(OutboundRecorder.Write::bytes))
				.containsExactly(300_000L, 1000L, 300_000L));
			assertThat(this.recorder.writes()).noneMatch((write) -> write.type().equals("ByteBuf")
					&& write.bytes() > 8192);
		}

		@Test
		void aCompressedResponseIsReadFromTheOpenFile() throws Exception {
			String css = "body { color: black; }\n".repeat(5000);
			Files.writeString(root.resolve("wire.css"), css, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			this.recorder.clear();
			HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			HttpResponse<byte[]> response = client.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/wire.css"))
				.header("Accept-Encoding", "gzip").timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
			try (GZIPInputStream unzipped = new GZIPInputStream(
					new ByteArrayInputStream(response.body()))) {
				assertThat(new String(unzipped.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(css);
			}
			assertThat(this.recorder.writes()).noneMatch(OutboundRecorder.Write::isFileRegion);
		}

	}

	/**
	 * Return the targets of this process's open descriptors that lie below a directory.
	 */
	static List<String> descriptorsUnder(Path directory) throws IOException {
		List<String> found = new ArrayList<>();
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			for (Path descriptor : descriptors.toList()) {
				try {
					String target = Files.readSymbolicLink(descriptor).toString();
					if (target.startsWith(directory.toString())) {
						found.add(descriptor.getFileName() + " -> " + target);
					}
				}
				catch (IOException ex) {
					// Closed while listing (the listing's own descriptor, for one).
				}
			}
		}
		return found;
	}

}
