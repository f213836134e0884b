package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;

import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
 * Small files from memory on a real server: one write with their headers, the same answers as from the file
 * (HEAD, 304, Range, If-Range), never stale bytes of a changed or replaced file, sendfile(2) above the threshold;
 * for static files, signed links and X-Sendfile alike. The stat cache is off, so every request sees the file as it
 * is now.
 */
@SpringBootTest(classes = { TestApplication.class, SmallFileCacheIntegrationTests.SendfileRoute.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.files.stat-cache-validity=0", "lighttpd.files.memory-cache.max-file-size=4KB",
				"lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=memory-secret-7a1e" })
class SmallFileCacheIntegrationTests {

	static final Path root;

	static {
		try {
			root = Files.createTempDirectory("small-file-cache").toRealPath();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@LocalServerPort
	int port;

	@Autowired
	OutboundRecorder recorder;

	@Autowired
	SmallFileCache cache;

	@Autowired
	SecureLinks links;

	@DynamicPropertySource
	static void roots(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", root::toString);
		registry.add("lighttpd.sendfile.allowed-roots", root::toString);
		registry.add("lighttpd.secdownload.document-root", root::toString);
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileSystemUtils.deleteRecursively(root);
		LeakWatch.assertNoLeaks();
	}

	@BeforeEach
	void clearRecorder() {
		this.recorder.clear();
	}

	/** A handler that answers with X-Sendfile naming a file of the root. */
	@Configuration(proxyBeanMethods = false)
	static class SendfileRoute {

		@Bean
		RouterFunction<ServerResponse> memorySendfileRoute() {
			return RouterFunctions.route()
				.GET("/xs/{name}", (request) -> ServerResponse.ok()
					.header("X-Sendfile", root.resolve(request.pathVariable("name")).toString())
					.build())
				.build();
		}

	}

	@Test
	void aSmallFileLeavesWithItsHeadersInOneWriteFromEveryFeature() throws Exception {
		byte[] content = "small and hot\n".repeat(20).getBytes(StandardCharsets.US_ASCII);
		Files.write(root.resolve("hot.txt"), content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		for (String target : List.of("/hot.txt", this.links.link("/hot.txt"), "/xs/hot.txt")) {
			// The first request reads the file into memory, the second finds it there: both leave in one write.
			for (int i = 0; i < 2; i++) {
				long hits = this.cache.counts().hits();
				this.recorder.clear();
				try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
					RawHttp.Response response = connection.exchange("GET", target, "");
					assertThat(response.status()).as(target).isEqualTo(200);
					assertThat(response.header("content-length")).isEqualTo(String.valueOf(content.length));
					assertThat(response.body()).isEqualTo(content);
					List<OutboundRecorder.Write> sent = this.recorder.writesAndFlushes();
					assertThat(sent).as(target).noneMatch(OutboundRecorder.Write::isFileRegion);
					assertThat(sent.stream().filter((write) -> write.type().equals("flush"))).as(target).hasSize(1);
					assertThat(sent.get(sent.size() - 1).type()).as(target).isEqualTo("flush");
					assertThat(sent.stream().filter((write) -> write.type().equals("ByteBuf"))
						.mapToLong(OutboundRecorder.Write::bytes).sum()).isGreaterThan(content.length);
				}
				if (i == 1) {
					assertThat(this.cache.counts().hits()).as(target).isGreaterThan(hits);
				}
			}
		}
	}

	@Test
	void aFileAboveTheThresholdKeepsSendfile() throws Exception {
		byte[] content = new byte[4 * 1024 + 1];
		new Random(5).nextBytes(content);
		Files.write(root.resolve("above.bin"), content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		for (String target : List.of("/above.bin", this.links.link("/above.bin"), "/xs/above.bin")) {
			for (int i = 0; i < 2; i++) {
				this.recorder.clear();
				RawHttp.Response response = new RawHttp(this.port).get(target);
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.body()).isEqualTo(content);
				await().untilAsserted(() -> assertThat(this.recorder.writes()).as(target)
					.anySatisfy((write) -> assertThat(write).isEqualTo(
							new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", content.length))));
			}
		}
		assertThat(this.cache.size()).isLessThanOrEqualTo(4 * 1024);
	}

	@Test
	void aFileRewrittenInPlaceWithTheSameSizeIsServedFresh() throws Exception {
		Path file = root.resolve("rewritten.txt");
		Files.writeString(file, "version-1\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		FileTime first = Files.getLastModifiedTime(file);
		for (String target : List.of("/rewritten.txt", this.links.link("/rewritten.txt"))) {
			assertThat(new RawHttp(this.port).get(target).bodyText()).isEqualTo("version-1\n");
		}
		// The same inode and size, only the bytes and the modification time differ.
		Files.writeString(file, "version-2\n", StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
		Files.setLastModifiedTime(file, FileTime.fromMillis(first.toMillis() + 10_000));
		for (String target : List.of("/rewritten.txt", this.links.link("/rewritten.txt"))) {
			assertThat(new RawHttp(this.port).get(target).bodyText()).as(target).isEqualTo("version-2\n");
		}
	}

	@Test
	void aReplacedFileIsServedFreshEvenWithTheSameSizeAndTime() throws Exception {
		Path file = root.resolve("replaced.txt");
		Files.writeString(file, "original\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		FileTime time = Files.getLastModifiedTime(file);
		for (String target : List.of("/replaced.txt", this.links.link("/replaced.txt"))) {
			assertThat(new RawHttp(this.port).get(target).bodyText()).isEqualTo("original\n");
		}
		// A new inode renamed over the name, as an editor saves; size and modification time are those of the old.
		Path fresh = root.resolve("replaced.new");
		Files.writeString(fresh, "replaced\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		Files.setLastModifiedTime(fresh, time);
		Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
		for (String target : List.of("/replaced.txt", this.links.link("/replaced.txt"))) {
			assertThat(new RawHttp(this.port).get(target).bodyText()).as(target).isEqualTo("replaced\n");
		}
	}

	@Test
	void headConditionalAndRangeRequestsOnAKeptFileAnswerAsFromTheFile() throws Exception {
		Files.writeString(root.resolve("kept.txt"), "0123456789abcdef\n", StandardOpenOption.CREATE_NEW,
				StandardOpenOption.WRITE);
		RawHttp http = new RawHttp(this.port);
		RawHttp.Response whole = http.get("/kept.txt");
		assertThat(http.get("/kept.txt").bodyText()).isEqualTo("0123456789abcdef\n");
		String etag = whole.header("etag");
		String lastModified = whole.header("last-modified");
		assertThat(this.cache.entries()).isPositive();

		RawHttp.Response head = http.exchange("HEAD", "/kept.txt", "");
		assertThat(head.status()).isEqualTo(200);
		assertThat(head.header("content-length")).isEqualTo("17");
		assertThat(head.header("etag")).isEqualTo(etag);
		assertThat(head.body()).isEmpty();

		assertThat(http.exchange("GET", "/kept.txt", "If-None-Match: " + etag + "\r\n").status()).isEqualTo(304);
		assertThat(http.exchange("GET", "/kept.txt", "If-Modified-Since: " + lastModified + "\r\n").status())
			.isEqualTo(304);
		assertThat(http.exchange("GET", "/kept.txt", "If-Match: \"other\"\r\n").status()).isEqualTo(412);

		RawHttp.Response range = http.exchange("GET", "/kept.txt", "Range: bytes=2-5\r\n");
		assertThat(range.status()).isEqualTo(206);
		assertThat(range.header("content-range")).isEqualTo("bytes 2-5/17");
		assertThat(range.bodyText()).isEqualTo("2345");

		RawHttp.Response suffix = http.exchange("GET", "/kept.txt", "Range: bytes=-3\r\n");
		assertThat(suffix.status()).isEqualTo(206);
		assertThat(suffix.bodyText()).isEqualTo("ef\n");

		assertThat(http.exchange("GET", "/kept.txt", "Range: bytes=100-\r\n").status()).isEqualTo(416);

		RawHttp.Response ifRangeMatches = http.exchange("GET", "/kept.txt",
				"Range: bytes=0-1\r\nIf-Range: " + etag + "\r\n");
		assertThat(ifRangeMatches.status()).isEqualTo(206);
		assertThat(ifRangeMatches.bodyText()).isEqualTo("01");

		RawHttp.Response ifRangeStale = http.exchange("GET", "/kept.txt",
				"Range: bytes=0-1\r\nIf-Range: \"stale\"\r\n");
		assertThat(ifRangeStale.status()).isEqualTo(200);
		assertThat(ifRangeStale.bodyText()).isEqualTo("0123456789abcdef\n");
	}

}
