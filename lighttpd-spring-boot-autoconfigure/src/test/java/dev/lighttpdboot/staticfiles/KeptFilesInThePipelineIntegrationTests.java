package dev.lighttpdboot.staticfiles;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.lighttpdboot.files.OpenFileCache;
import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code lighttpd.files.dispatch=netty}: what {@link KeptFileChannelHandler} answers in the connection's pipeline
 * is the ordinary answer, byte for byte but for the path it took, for kept files and for larger ones sent from
 * their descriptor; answers on a pipelined connection keep their order; a kept file replaced on disk is never
 * answered from memory, a larger one is sent as it is now (its descriptor closed afterwards), and one swapped for a
 * link out of the root is not sent; requests and files whose answer needs a
 * decision (conditions, Range, compression, an FLV seek) go the ordinary way, a cache-busting query does not; a
 * gateway route's paths stay the route's; valid signed links are answered as the document root's files are,
 * refused ones the ordinary way; with a base path nothing is answered in the pipeline; and with the access log on,
 * an answer in the pipeline has the ordinary way's line. The behaviour tests'
 * {@code *DirectDispatch*} subclasses are not repeated for this mode: they never reach the pipeline's answers (a
 * stat cache turned off, or files not yet kept), so they could not fail for it.
 */
class KeptFilesInThePipelineIntegrationTests {

	static final String NETTY = "lighttpd.files.dispatch=netty";

	static final String NO_BOOT_OBSERVATION = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.webflux.autoconfigure.WebFluxObservationAutoConfiguration";

	/** The root of {@link TrustedChecks} and its subclass, deleted once both are done. */
	static final TestSite trustedChecksSite = TestSite.create();

	@AfterAll
	static void deleteTrustedChecksSite() {
		trustedChecksSite.delete();
	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, DirectDispatchIntegrationTests.Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m", NO_BOOT_OBSERVATION })
	class Answers extends RealServerTests {

		@Autowired
		TestObservationRegistry observations;

		@Autowired
		MeterRegistry registry;

		@Autowired
		StaticFileHandlerMapping documentRoot;

		@Test
		void aKeptFileIsAnsweredAsWebFluxAnswersItWithoutEnteringWebFlux() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				// Only this test asks for these files; the stat cache trusts its lookups for longer than it takes.
				for (String method : List.of("GET", "HEAD")) {
					String target = method.equals("GET") ? "/data.json" : "/routed/shadowed.txt";
					this.observations.clear();
					RawHttp.Response ordinary = connection.exchange(method, target, "");
					TestObservationRegistryAssert.assertThat(this.observations)
						.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
					// The bytes are kept by the first GET, which WebFlux answers (a HEAD reads no bytes).
					if (method.equals("HEAD")) {
						connection.exchange("GET", target, "");
					}
					this.observations.clear();
					double memoryGets = memoryGets();
					RawHttp.Response kept = connection.exchange(method, target, "");
					TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
					// A HEAD is answered from what the lookup found, as the ordinary way answers it: the kept bytes
					// are not even looked at.
					assertThat(memoryGets()).as(method).isEqualTo(method.equals("GET") ? memoryGets + 1 : memoryGets);
					assertThat(kept.status()).as(method).isEqualTo(200);
					assertThat(kept.headers()).as(method).isEqualTo(ordinary.headers());
					assertThat(kept.body()).as(method).isEqualTo(ordinary.body());
				}
				assertThat(connection.exchange("GET", "/data.json", "").bodyText())
					.isEqualTo(site.text("data.json"));
			}
		}

		@Test
		void pathsRememberedForTheFilesTheyNameStayWithinTheirBound() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				// The ordinary way finds the file: the stat cache describes it from then on.
				assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
			}
			KeptFileAnswers answers = this.documentRoot.keptFileAnswers(List.of(), List.of());
			// Other spellings of the same path (each character as it is, or percent-encoded in either case): each
			// a raw path of its own that names the file.
			int asked = 0;
			for (int spelling = 0; asked < 3 * KeptFileAnswers.MAX_RESOLVED_PATHS; spelling++) {
				StringBuilder path = new StringBuilder("/");
				int choices = spelling;
				for (char c : "hello.txt".toCharArray()) {
					String hex = Integer.toHexString(c);
					path.append(switch (choices % 3) {
						case 0 -> String.valueOf(c);
						case 1 -> "%" + hex;
						default -> "%" + hex.toUpperCase(Locale.ROOT);
					});
					choices /= 3;
				}
				assertThat(answers.candidate(path.toString(), null)).as(path.toString()).isNotNull();
				assertThat(answers.rememberedPaths()).isBetween(1, KeptFileAnswers.MAX_RESOLVED_PATHS);
				asked++;
			}
		}

		private double memoryGets() {
			return this.registry.find("lighttpd.files.memory.gets").functionCounters().stream()
				.mapToDouble((counter) -> counter.count())
				.sum();
		}

		@Test
		void aLargerFileIsSentFromItsDescriptorWithoutEnteringWebFlux() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				// Only this test asks for this file: the first GET finds it, the ordinary way.
				this.observations.clear();
				RawHttp.Response ordinary = connection.exchange("GET", "/big.bin", "");
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
				this.observations.clear();
				RawHttp.Response sent = connection.exchange("GET", "/big.bin", "");
				TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
				assertThat(sent.status()).isEqualTo(200);
				assertThat(sent.headers()).isEqualTo(ordinary.headers());
				assertThat(sent.body()).isEqualTo(site.big());
				// A HEAD needs no descriptor: it is answered from what the lookup found, as the ordinary way answers it.
				RawHttp.Response head = connection.exchange("HEAD", "/big.bin", "");
				TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
				assertThat(head.status()).isEqualTo(200);
				assertThat(head.headers()).isEqualTo(ordinary.headers());
				assertThat(head.body()).isEmpty();
			}
		}

		@Test
		void aConnectionWhoseFirstRequestIsAnsweredHereIsReadOn() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				connection.exchange("GET", "/empty.txt", "");
				connection.exchange("GET", "/shadowed.txt", "");
			}
			try (RawHttp.Connection connection = raw().open()) {
				for (int i = 0; i < 3; i++) {
					this.observations.clear();
					assertThat(connection.exchange("GET", "/shadowed.txt", "").bodyText())
						.isEqualTo(site.text("shadowed.txt"));
					TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
				}
			}
		}

		@Test
		void requestsThatLeaveSomethingToDecideGoTheOrdinaryWay() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				String etag = connection.exchange("GET", "/hello.txt", "").header("etag");
				connection.exchange("GET", "/hello.txt", "");
				this.observations.clear();
				assertThat(connection.exchange("GET", "/hello.txt", "If-Match: \"other\"\r\n").status())
					.isEqualTo(412);
				assertThat(connection.exchange("GET", "/hello.txt", "Range: bytes=0-4\r\n").bodyText())
					.isEqualTo("Hello");
				// A copy that is out of date: the file, the ordinary way.
				assertThat(connection.exchange("GET", "/hello.txt", "If-None-Match: \"other\"\r\n").bodyText())
					.isEqualTo(TestSite.HELLO);
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 3);
				assertThat(etag).isNotBlank();
			}
		}

		@Test
		void aCopyThatIsStillCurrentIsConfirmedAsWebFluxConfirmsItWithoutEnteringWebFlux() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				// Only this test asks for these files: kept in memory, and sent from its descriptor.
				for (String target : List.of("/docs/index.html", "/movie.flv")) {
					RawHttp.Response first = connection.exchange("GET", target, "");
					String etag = first.header("etag");
					String lastModified = first.header("last-modified");
					for (String condition : List.of("If-None-Match: " + etag, "If-None-Match: \"other\", " + etag,
							"If-None-Match: *", "If-Modified-Since: " + lastModified)) {
						String what = target + " " + condition;
						this.observations.clear();
						// A condition that holds and changes nothing: the same question, the ordinary way.
						RawHttp.Response ordinary = connection.exchange("GET", target,
								condition + "\r\nIf-Unmodified-Since: " + lastModified + "\r\n");
						TestObservationRegistryAssert.assertThat(this.observations)
							.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
						this.observations.clear();
						RawHttp.Response confirmed = connection.exchange("GET", target, condition + "\r\n");
						TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
						assertThat(confirmed.status()).as(what).isEqualTo(304);
						assertThat(confirmed.headers()).as(what).isEqualTo(ordinary.headers());
						assertThat(confirmed.body()).as(what).isEmpty();
					}
				}
				// A HEAD's 304 comes the ordinary way, as does a copy that is out of date.
				this.observations.clear();
				assertThat(connection.exchange("HEAD", "/docs/index.html", "If-None-Match: *\r\n").status())
					.isEqualTo(304);
				assertThat(connection.exchange("GET", "/docs/index.html", "If-None-Match: \"other\"\r\n").bodyText())
					.isEqualTo(site.text("docs/index.html"));
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 2);
			}
		}

		@Test
		void aQueryGoesTheOrdinaryWayOnlyWhereASeekCouldReadIt() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				connection.exchange("GET", "/plain/a.txt", "");
				connection.exchange("GET", "/clip.flv", "");
				this.observations.clear();
				// A cache-busting query on a file no seek applies to: the file, from the pipeline.
				assertThat(connection.exchange("GET", "/plain/a.txt?v=3", "").bodyText()).isEqualTo("a\n");
				TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
				// ?start= of an FLV file: the seek's answer (FLV header, then the rest), by WebFlux.
				RawHttp.Response seek = connection.exchange("GET", "/clip.flv?start=5", "");
				assertThat(seek.header("content-type")).isEqualTo("video/x-flv");
				assertThat(seek.body()).hasSize(13 + 8);
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
			}
		}

		@Test
		void pipelinedAnswersKeepTheirOrder() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				// Kept, both of them.
				connection.exchange("GET", "/hello.txt", "");
				connection.exchange("GET", "/style.css", "");
				List<String> targets = List.of("/hello.txt", "/nowhere.txt", "/style.css", "/hello.txt",
						"/docs/", "/style.css");
				StringBuilder requests = new StringBuilder();
				for (String target : targets) {
					requests.append("GET ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
				}
				List<RawHttp.Response> responses = connection
					.pipeline(requests.toString().getBytes(StandardCharsets.ISO_8859_1), targets.size());
				List<String> bodies = new ArrayList<>();
				for (RawHttp.Response response : responses) {
					bodies.add(response.status() + " " + response.bodyText());
				}
				assertThat(bodies).containsExactly("200 " + TestSite.HELLO, "404 " + responses.get(1).bodyText(),
						"200 " + site.text("style.css"), "200 " + TestSite.HELLO,
						"200 " + site.text("docs/index.html"), "200 " + site.text("style.css"));
			}
		}

	}

	/**
	 * A larger file sent from the pipeline to a client that pauses longer than the keep-alive timeout is sent whole:
	 * that timeout is Reactor Netty's idle timeout of the connection, which closes a connection that neither reads
	 * nor writes for that long (a file's write counts once it has completed). Reactor Netty takes it off while it
	 * answers a request, and so does the pipeline while it sends a file.
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m", "lighttpd.server.keep-alive-timeout=1s" })
	class SlowReaders {

		static final TestSite own = TestSite.create();

		/** Far more than the sockets' buffers hold: the send waits for the reader. */
		static final long SIZE = 64L * 1024 * 1024;

		@LocalServerPort
		int port;

		@DynamicPropertySource
		static void ownRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.document-root", () -> own.root().toString());
		}

		@AfterAll
		static void deleteRoot() {
			own.delete();
		}

		@Test
		void aLargerFileIsSentWholeToAReaderThatPausesLongerThanTheKeepAliveTimeout() throws IOException {
			try (SeekableByteChannel channel = Files.newByteChannel(own.root().resolve("large.bin"),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
				channel.position(SIZE - 1).write(ByteBuffer.wrap(new byte[] { 1 }));
			}
			try (Socket socket = new Socket()) {
				socket.setReceiveBufferSize(16 * 1024);
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
				socket.setSoTimeout(20_000);
				InputStream in = new BufferedInputStream(socket.getInputStream());
				OutputStream out = socket.getOutputStream();
				// The ordinary way looks the file up; the stat cache then knows it, and the GET is the pipeline's.
				out.write("HEAD /large.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
				assertThat(head(in)).startsWith("HTTP/1.1 200");
				out.write("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
				// The reader pauses for twice the keep-alive timeout, the server's socket buffers full meanwhile.
				await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
				assertThat(head(in)).startsWith("HTTP/1.1 200").contains("\r\nContent-Length: " + SIZE + "\r\n");
				long received = 0;
				byte[] chunk = new byte[256 * 1024];
				int read;
				while (received < SIZE && (read = in.read(chunk)) != -1) {
					received += read;
				}
				assertThat(received).isEqualTo(SIZE);
			}
		}

		private static String head(InputStream in) throws IOException {
			StringBuilder head = new StringBuilder();
			while (!head.toString().endsWith("\r\n\r\n")) {
				int next = in.read();
				if (next == -1) {
					throw new IOException("closed after " + head.length() + " bytes of a head");
				}
				head.append((char) next);
			}
			return head.toString();
		}

	}

	/**
	 * Files written by the tests, in a root of their own. The stat cache trusts what it saw for ten minutes: a file
	 * answered from memory must still be checked against the disk on every request, as on the ordinary path. A file
	 * whose answer depends on Accept-Encoding is never answered in the pipeline: with or without the header, the
	 * answer is the one the compression negotiation gives, Vary included (a file below compression's minimum size,
	 * like the replaced one, is its own representation and stays a candidate).
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m", "lighttpd.compression.enabled=true" })
	class OwnFiles {

		static final TestSite own = TestSite.create();

		@LocalServerPort
		int port;

		@DynamicPropertySource
		static void ownRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.document-root", () -> own.root().toString());
		}

		@AfterAll
		static void deleteRoot() {
			own.delete();
		}

		@Test
		void aKeptFileReplacedOnDiskIsAnsweredAsItIsNow() throws IOException {
			Path file = Files.writeString(own.root().resolve("replaced.txt"), "first\n",
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				RawHttp.Response first = connection.exchange("GET", "/replaced.txt", "");
				assertThat(connection.exchange("GET", "/replaced.txt", "").bodyText()).isEqualTo("first\n");
				Path next = Files.writeString(own.root().resolve("replaced.new"), "second, and longer\n",
						StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
				for (int i = 0; i < 2; i++) {
					RawHttp.Response now = connection.exchange("GET", "/replaced.txt", "");
					assertThat(now.bodyText()).isEqualTo("second, and longer\n");
					assertThat(now.header("etag")).isNotEqualTo(first.header("etag"));
				}
			}
		}

		@Test
		void aLargerFileReplacedOnDiskIsSentAsItIsNowAndClosedAfterwards() throws IOException {
			Path file = Files.write(own.root().resolve("replaced.bin"), filled('a', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				RawHttp.Response first = connection.exchange("GET", "/replaced.bin", "");
				assertThat(connection.exchange("GET", "/replaced.bin", "").body()).isEqualTo(filled('a', 40_000));
				Path next = Files.write(own.root().resolve("replaced-bin.new"), filled('b', 50_000),
						StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
				for (int i = 0; i < 2; i++) {
					RawHttp.Response now = connection.exchange("GET", "/replaced.bin", "");
					assertThat(now.body()).isEqualTo(filled('b', 50_000));
					assertThat(now.header("content-length")).isEqualTo("50000");
					assertThat(now.header("etag")).isNotEqualTo(first.header("etag"));
				}
			}
			// Every descriptor of the file is closed once its answer is sent.
			await().atMost(Duration.ofSeconds(10)).until(() -> descriptorsOf(file) == 0);
		}

		@Test
		void aLargerFileSwappedForALinkOutOfTheRootIsNotSent() throws IOException {
			Path file = Files.write(own.root().resolve("swapped.bin"), filled('s', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			Path decoy = Files.write(own.root().resolveSibling("outside").resolve("decoy.bin"), filled('d', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				connection.exchange("GET", "/swapped.bin", "");
				assertThat(connection.exchange("GET", "/swapped.bin", "").body()).isEqualTo(filled('s', 40_000));
				// The stat cache still trusts the regular file it found; the descriptor is what counts.
				Path link = Files.createSymbolicLink(own.root().resolve("swapped.link"), decoy);
				Files.move(link, file, StandardCopyOption.ATOMIC_MOVE);
				RawHttp.Response now = connection.exchange("GET", "/swapped.bin", "");
				assertThat(now.status()).isEqualTo(404);
				assertThat(new String(now.body(), StandardCharsets.ISO_8859_1)).doesNotContain("dddd");
			}
		}

		private static byte[] filled(char c, int size) {
			byte[] bytes = new byte[size];
			Arrays.fill(bytes, (byte) c);
			return bytes;
		}

		/** How many descriptors of this JVM are open on the file (Linux: the links of /proc/self/fd). */
		private static long descriptorsOf(Path file) throws IOException {
			Path real = file.toRealPath();
			try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
				return descriptors.filter((descriptor) -> {
					try {
						return Files.readSymbolicLink(descriptor).equals(real);
					}
					catch (IOException ex) {
						// Closed meanwhile.
						return false;
					}
				}).count();
			}
		}

		@Test
		void aCompressibleFileKeepsItsNegotiatedAnswer() throws IOException {
			Files.writeString(own.root().resolve("site.css"), "body { color: black; }\n".repeat(200),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				RawHttp.Response first = connection.exchange("GET", "/site.css", "");
				assertThat(first.header("vary")).isEqualTo("Accept-Encoding");
				for (int i = 0; i < 2; i++) {
					RawHttp.Response again = connection.exchange("GET", "/site.css", "");
					assertThat(again.headers()).isEqualTo(first.headers());
				}
				assertThat(connection.exchange("GET", "/site.css", "Accept-Encoding: gzip\r\n").header("content-encoding"))
					.isEqualTo("gzip");
			}
		}

	}

	/**
	 * {@code lighttpd.files.open-file-cache.enabled=true}: a larger file is sent from one descriptor kept open, by
	 * the pipeline's answers and the ordinary way alike (a Range included); a file replaced on disk, or swapped for
	 * a link out of the root, is never sent from the old descriptor, which is closed once nothing sends from it.
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m",
					"lighttpd.files.open-file-cache.enabled=true" })
	class KeptDescriptors {

		static final TestSite own = TestSite.create();

		@LocalServerPort
		int port;

		@Autowired
		OpenFileCache descriptors;

		@DynamicPropertySource
		static void ownRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.document-root", () -> own.root().toString());
		}

		@AfterAll
		static void deleteRoot() {
			own.delete();
		}

		@Test
		void aLargerFileIsSentFromOneDescriptorKeptOpenEitherWay() throws IOException {
			Path file = Files.write(own.root().resolve("kept.bin"), OwnFiles.filled('k', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				// Found and opened the ordinary way, and kept.
				assertThat(connection.exchange("GET", "/kept.bin", "").body()).isEqualTo(OwnFiles.filled('k', 40_000));
				long hits = this.descriptors.counts().hits();
				// Answered in the pipeline, then the ordinary way (a Range), from the same descriptor.
				assertThat(connection.exchange("GET", "/kept.bin", "").body()).isEqualTo(OwnFiles.filled('k', 40_000));
				RawHttp.Response range = connection.exchange("GET", "/kept.bin", "Range: bytes=100-109\r\n");
				assertThat(range.status()).isEqualTo(206);
				assertThat(range.bodyText()).isEqualTo("kkkkkkkkkk");
				assertThat(this.descriptors.counts().hits() - hits).isEqualTo(2);
			}
			assertThat(OwnFiles.descriptorsOf(file)).isEqualTo(1);
		}

		@Test
		void aReplacedFileIsSentAsItIsNowAndItsOldDescriptorClosed() throws IOException {
			Path file = Files.write(own.root().resolve("replaced.bin"), OwnFiles.filled('a', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				RawHttp.Response first = connection.exchange("GET", "/replaced.bin", "");
				assertThat(connection.exchange("GET", "/replaced.bin", "").body()).isEqualTo(OwnFiles.filled('a', 40_000));
				Path next = Files.write(own.root().resolve("replaced-bin.new"), OwnFiles.filled('b', 50_000),
						StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
				for (int i = 0; i < 2; i++) {
					RawHttp.Response now = connection.exchange("GET", "/replaced.bin", "");
					assertThat(now.body()).isEqualTo(OwnFiles.filled('b', 50_000));
					assertThat(now.header("etag")).isNotEqualTo(first.header("etag"));
				}
			}
			// The new file's descriptor is kept; the old one is closed, whose file is gone.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(OwnFiles.descriptorsOf(file)).isEqualTo(1);
				assertThat(deletedDescriptorsOf(file)).isZero();
			});
		}

		@Test
		void aFileSwappedForALinkOutOfTheRootIsNotSentFromItsOldDescriptor() throws IOException {
			Path file = Files.write(own.root().resolve("swapped.bin"), OwnFiles.filled('s', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			Path decoy = Files.write(own.root().resolveSibling("outside").resolve("decoy.bin"),
					OwnFiles.filled('d', 40_000), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				connection.exchange("GET", "/swapped.bin", "");
				assertThat(connection.exchange("GET", "/swapped.bin", "").body()).isEqualTo(OwnFiles.filled('s', 40_000));
				Path link = Files.createSymbolicLink(own.root().resolve("swapped.link"), decoy);
				Files.move(link, file, StandardCopyOption.ATOMIC_MOVE);
				RawHttp.Response now = connection.exchange("GET", "/swapped.bin", "");
				assertThat(now.status()).isEqualTo(404);
				assertThat(new String(now.body(), StandardCharsets.ISO_8859_1)).doesNotContain("dddd");
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> deletedDescriptorsOf(file) == 0);
		}

		/** How many descriptors of this JVM are open on a file that was at this path and is deleted now. */
		private static long deletedDescriptorsOf(Path file) throws IOException {
			String deleted = file.toAbsolutePath().getParent().toRealPath().resolve(file.getFileName()) + " (deleted)";
			try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
				return descriptors.filter((descriptor) -> {
					try {
						return Files.readSymbolicLink(descriptor).toString().equals(deleted);
					}
					catch (IOException ex) {
						// Closed meanwhile.
						return false;
					}
				}).count();
			}
		}

	}

	/**
	 * A kept file replaced on disk goes the ordinary way while the stat cache describes the file it replaced (its
	 * check finds the change), and is answered in the pipeline again once the stat cache describes the new one: what
	 * the pipeline remembers of a path follows the stat cache.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, DirectDispatchIntegrationTests.Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=1s", NO_BOOT_OBSERVATION })
	class ReplacedFiles {

		static final TestSite own = TestSite.create();

		@LocalServerPort
		int port;

		@Autowired
		TestObservationRegistry observations;

		@DynamicPropertySource
		static void ownRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.document-root", () -> own.root().toString());
		}

		@AfterAll
		static void deleteRoot() {
			own.delete();
		}

		@Test
		void aKeptFileReplacedOnDiskIsAnsweredHereAgainOnceTheStatCacheDescribesTheNewOne() throws IOException {
			Path file = Files.writeString(own.root().resolve("again.txt"), "first\n", StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				connection.exchange("GET", "/again.txt", "");
				assertThat(connection.exchange("GET", "/again.txt", "").bodyText()).isEqualTo("first\n");
				assertAnsweredInThePipeline(connection, "first\n");
				Path next = Files.writeString(own.root().resolve("again.new"), "second, and longer\n",
						StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertAnsweredInThePipeline(connection, "second, and longer\n"));
			}
		}

		private void assertAnsweredInThePipeline(RawHttp.Connection connection, String text) throws IOException {
			this.observations.clear();
			assertThat(connection.exchange("GET", "/again.txt", "").bodyText()).isEqualTo(text);
			// A request the ordinary way answers, observed once it is done: the one before it would have been
			// observed before it, had it gone that way too.
			assertThat(connection.exchange("GET", "/no-such-file.txt", "").status()).isEqualTo(404);
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> TestObservationRegistryAssert
				.assertThat(this.observations)
				.hasObservationWithNameEqualTo("http.server.requests"));
			TestObservationRegistryAssert.assertThat(this.observations)
				.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
		}

	}

	/**
	 * With check validities set (opt-in), a kept file, its bytes or its descriptor, is answered without a check of
	 * its own while the last check that found it unchanged is valid: a file changed within that time is answered as
	 * it was, in the pipeline and the ordinary way alike ({@link TrustedChecksWhenWebFlux}).
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m",
					"lighttpd.files.memory-cache.check-validity=10m", "lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.check-validity=10m", "lighttpd.files.open-file-cache.inactive=1h" })
	class TrustedChecks {

		@LocalServerPort
		int port;

		@DynamicPropertySource
		static void ownRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.document-root", () -> trustedChecksSite.root().toString());
		}

		@Test
		void aKeptFileChangedWithinTheValidityOfItsLastCheckIsAnsweredAsItWas() throws IOException {
			Path file = Files.write(trustedChecksSite.root().resolve(name("small.txt")), OwnFiles.filled('a', 100),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				// Read into memory, then checked: the check that vouches for the next requests.
				connection.exchange("GET", "/" + file.getFileName(), "");
				assertThat(connection.exchange("GET", "/" + file.getFileName(), "").body())
					.isEqualTo(OwnFiles.filled('a', 100));
				Files.write(file, OwnFiles.filled('b', 100), StandardOpenOption.TRUNCATE_EXISTING);
				Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
				assertThat(connection.exchange("GET", "/" + file.getFileName(), "").body())
					.isEqualTo(OwnFiles.filled('a', 100));
			}
		}

		@Test
		void aKeptDescriptorsFileReplacedWithinTheValidityOfItsLastCheckIsSentAsItWas() throws IOException {
			Path file = Files.write(trustedChecksSite.root().resolve(name("kept.bin")), OwnFiles.filled('a', 40_000),
					StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
				// Opened and kept, then checked: the check that vouches for the next requests.
				connection.exchange("GET", "/" + file.getFileName(), "");
				assertThat(connection.exchange("GET", "/" + file.getFileName(), "").body())
					.isEqualTo(OwnFiles.filled('a', 40_000));
				Path next = Files.write(trustedChecksSite.root().resolve(name("kept.new")), OwnFiles.filled('b', 40_000),
						StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
				assertThat(connection.exchange("GET", "/" + file.getFileName(), "").body())
					.isEqualTo(OwnFiles.filled('a', 40_000));
			}
		}

		/** A name of this class's own, so that a subclass sharing the root does not find the files of another. */
		String name(String name) {
			return getClass().getSimpleName() + "-" + name;
		}

	}

	/**
	 * {@link TrustedChecks} on the ordinary way.
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.files.dispatch=webflux", "lighttpd.files.stat-cache-validity=10m",
					"lighttpd.files.memory-cache.check-validity=10m", "lighttpd.files.open-file-cache.enabled=true",
					"lighttpd.files.open-file-cache.check-validity=10m", "lighttpd.files.open-file-cache.inactive=1h" })
	class TrustedChecksWhenWebFlux extends TrustedChecks {

	}

	/**
	 * A gateway route's scripts and prefixes stay the route's, kept or not.
	 */
	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.gateway.routes[0].name=scripts",
					"lighttpd.gateway.routes[0].extensions=.txt",
					"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:1",
					"lighttpd.gateway.routes[1].name=app", "lighttpd.gateway.routes[1].protocol=http",
					"lighttpd.gateway.routes[1].path-prefix=/plain",
					"lighttpd.gateway.routes[1].backends[0].address=127.0.0.1:1" })
	class GatewayPathsWhenNetty extends DirectDispatchIntegrationTests.GatewayPaths {

	}

	/**
	 * A valid signed link to a kept file is answered in the pipeline as the signed-link filter answers it, and
	 * counted as its filter counts it; an expired or forged link to the same file gets the filter's refusal.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, DirectDispatchIntegrationTests.Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m", NO_BOOT_OBSERVATION,
					"lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=pipeline-secret-51c0",
					"lighttpd.secdownload.algorithm=hmac-sha256" })
	class SignedLinks extends RealServerTests {

		@DynamicPropertySource
		static void downloadRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.secdownload.document-root", () -> site.root().toString());
		}

		@Autowired
		SecureLinks links;

		@Autowired
		TestObservationRegistry observations;

		@Autowired
		MeterRegistry registry;

		@Test
		void aValidLinkToAKeptFileIsAnsweredAsTheFilterAnswersIt() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				for (String method : List.of("GET", "HEAD")) {
					String link = this.links.link(method.equals("GET") ? "/data.json" : "/style.css");
					this.observations.clear();
					RawHttp.Response ordinary = connection.exchange(method, link, "");
					TestObservationRegistryAssert.assertThat(this.observations)
						.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
					if (method.equals("HEAD")) {
						connection.exchange("GET", link, "");
					}
					this.observations.clear();
					double answered = answered("ok");
					RawHttp.Response kept = connection.exchange(method, link, "");
					TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
					assertThat(kept.status()).as(method).isEqualTo(200);
					assertThat(kept.headers()).as(method).isEqualTo(ordinary.headers());
					assertThat(kept.body()).as(method).isEqualTo(ordinary.body());
					assertThat(answered("ok")).as(method).isEqualTo(answered + 1);
				}
			}
		}

		@Test
		void aValidLinkToACopyThatIsStillCurrentIsConfirmedAsTheFilterConfirmsIt() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				String link = this.links.link("/docs/index.html");
				String etag = connection.exchange("GET", link, "").header("etag");
				this.observations.clear();
				RawHttp.Response ordinary = connection.exchange("GET", link,
						"If-None-Match: " + etag + "\r\nIf-Unmodified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n");
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
				this.observations.clear();
				double answered = answered("ok");
				RawHttp.Response confirmed = connection.exchange("GET", link, "If-None-Match: " + etag + "\r\n");
				TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
				assertThat(confirmed.status()).isEqualTo(304);
				assertThat(confirmed.headers()).isEqualTo(ordinary.headers());
				assertThat(answered("ok")).isEqualTo(answered + 1);
			}
		}

		@Test
		void refusedLinksToAKeptFileGetTheFiltersAnswer() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				String link = this.links.link("/hello.txt");
				connection.exchange("GET", link, "");
				assertThat(connection.exchange("GET", link, "").bodyText()).isEqualTo(TestSite.HELLO);
				this.observations.clear();
				String expired = this.links.link("/hello.txt", Instant.now().minusSeconds(1800));
				assertThat(connection.exchange("GET", expired, "").status()).isEqualTo(410);
				String[] parts = link.split("/", 4);
				String forged = "/" + parts[1] + "/" + "0".repeat(parts[2].length()) + "/" + parts[3];
				assertThat(connection.exchange("GET", forged, "").status()).isEqualTo(403);
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 2);
			}
		}

		private double answered(String outcome) {
			return this.registry.get("lighttpd.secdownload.requests").tag("outcome", outcome).counter().count();
		}

	}

	/**
	 * With {@code spring.webflux.base-path}, WebFlux strips and enforces the base path, which the pipeline does not
	 * see: nothing is answered there, and a path outside the base path stays unknown.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, DirectDispatchIntegrationTests.Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m", NO_BOOT_OBSERVATION,
					"spring.webflux.base-path=/ctx" })
	class BasePath extends RealServerTests {

		@Autowired
		TestObservationRegistry observations;

		@Test
		void filesAreAnsweredUnderTheBasePathOnly() throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				for (int i = 0; i < 3; i++) {
					assertThat(connection.exchange("GET", "/ctx/hello.txt", "").bodyText()).isEqualTo(TestSite.HELLO);
				}
				assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(404);
				this.observations.clear();
				assertThat(connection.exchange("GET", "/ctx/hello.txt", "").status()).isEqualTo(200);
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
			}
		}

	}

	/**
	 * With the access log on, an answer given in the pipeline has its line, the line the ordinary way writes for
	 * the same request; a request that names another client in forwarding headers goes the ordinary way, where
	 * the server's forwarded-headers setting decides which client its line names.
	 */
	@Nested
	@ExtendWith(OutputCaptureExtension.class)
	@SpringBootTest(classes = { TestApplication.class, DirectDispatchIntegrationTests.Observed.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { NETTY, "lighttpd.files.stat-cache-validity=10m", NO_BOOT_OBSERVATION,
					"lighttpd.access-log.enabled=true",
					"lighttpd.access-log.format=%h %l %u \"%r\" %>s %b \"%{User-Agent}i\" %{Content-Type}o%{gateway}x" })
	class AccessLog extends RealServerTests {

		@Autowired
		TestObservationRegistry observations;

		@Test
		void anAnswerInThePipelineHasTheLineOfTheOrdinaryWay(CapturedOutput output) throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				for (String method : List.of("GET", "HEAD")) {
					// A file of its own per method, looked up first by this request, which WebFlux answers.
					String target = method.equals("GET") ? "/plain/a.txt" : "/hello.txt";
					this.observations.clear();
					connection.exchange(method, target, "User-Agent: ordinary\r\n");
					TestObservationRegistryAssert.assertThat(this.observations)
						.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
					// The bytes are kept by the first GET (a HEAD reads no bytes); then the pipeline answers.
					if (method.equals("HEAD")) {
						connection.exchange("GET", target, "");
					}
					this.observations.clear();
					connection.exchange(method, target, "User-Agent: pipeline\r\n");
					TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
					String ordinary = awaitLine(output, method, target, "ordinary");
					String pipeline = awaitLine(output, method, target, "pipeline");
					assertThat(pipeline).as(method).isEqualTo(ordinary.replace("\"ordinary\"", "\"pipeline\""));
				}
			}
		}

		@Test
		void aConfirmedCopyHasTheLineOfTheOrdinaryWay(CapturedOutput output) throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				// A file of its own, looked up first by this request, which WebFlux answers.
				String lastModified = connection.exchange("GET", "/data.json", "").header("last-modified");
				String condition = "If-Modified-Since: " + lastModified + "\r\n";
				this.observations.clear();
				assertThat(connection.exchange("GET", "/data.json",
						condition + "If-Unmodified-Since: " + lastModified + "\r\nUser-Agent: ordinary\r\n").status())
					.isEqualTo(304);
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 1);
				this.observations.clear();
				assertThat(connection.exchange("GET", "/data.json", condition + "User-Agent: pipeline\r\n").status())
					.isEqualTo(304);
				TestObservationRegistryAssert.assertThat(this.observations).doesNotHaveAnyObservation();
				String ordinary = awaitLine(output, "GET", "/data.json", "ordinary");
				String pipeline = awaitLine(output, "GET", "/data.json", "pipeline");
				assertThat(pipeline).isEqualTo(ordinary.replace("\"ordinary\"", "\"pipeline\""));
			}
		}

		@Test
		void aRequestForAnotherClientGoesTheOrdinaryWay(CapturedOutput output) throws IOException {
			try (RawHttp.Connection connection = raw().open()) {
				connection.exchange("GET", "/style.css", "");
				connection.exchange("GET", "/style.css", "");
				this.observations.clear();
				assertThat(connection.exchange("GET", "/style.css", "X-Forwarded-For: 192.0.2.7\r\n").bodyText())
					.isEqualTo(site.text("style.css"));
				assertThat(connection.exchange("GET", "/style.css", "Forwarded: for=192.0.2.8\r\n").bodyText())
					.isEqualTo(site.text("style.css"));
				TestObservationRegistryAssert.assertThat(this.observations)
					.hasNumberOfObservationsWithNameEqualTo("http.server.requests", 2);
			}
		}

		private static String awaitLine(CapturedOutput output, String method, String target, String agent) {
			Pattern line = Pattern.compile("^.*\"" + method + " " + Pattern.quote(target) + " HTTP/1\\.1\" .*\"" + agent
					+ "\".*$", Pattern.MULTILINE);
			AtomicReference<String> found = new AtomicReference<>();
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				Matcher matcher = line.matcher(output.getOut());
				if (!matcher.find()) {
					return false;
				}
				found.set(matcher.group());
				return true;
			});
			// From the client's address on: what precedes it is the logging system's pattern (time, thread).
			String text = found.get();
			return text.substring(text.indexOf("127.0.0.1 "));
		}

	}

}
