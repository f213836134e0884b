package dev.lighttpdboot.compression;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bundles in Tengine's syntax on a real server: order, validators, compression through the cache, and every
 * refusal.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.compression.enabled=true", "lighttpd.compression.bundles.enabled=true",
				"lighttpd.files.stat-cache-validity=0" })
class BundleIntegrationTests extends CompressionServerTests {

	@Autowired
	OutboundRecorder recorder;

	@Autowired
	BundleLinks links;

	static byte[] concat(String... files) throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String file : files) {
			out.write(Files.readAllBytes(compressionSite.root.resolve(file)));
		}
		return out.toByteArray();
	}

	@Test
	void answersTheFilesConcatenatedInOrder() throws Exception {
		EntityExchangeResult<byte[]> result = fetch("/js/??c.js,a.js,,b.js?v=42", null);
		assertThat(result.getResponseBody()).isEqualTo(concat("js/c.js", "js/a.js", "js/b.js"));
		HttpHeaders headers = result.getResponseHeaders();
		assertThat(headers.getContentType().toString()).startsWith("text/javascript");
		assertThat(headers.getContentLength()).isEqualTo(result.getResponseBody().length);
		assertThat(headers.getETag()).startsWith("\"b");
		long newest = Math.max(Files.getLastModifiedTime(compressionSite.root.resolve("js/a.js")).toMillis(),
				Math.max(Files.getLastModifiedTime(compressionSite.root.resolve("js/b.js")).toMillis(),
						Files.getLastModifiedTime(compressionSite.root.resolve("js/c.js")).toMillis()));
		assertThat(headers.getLastModified()).isEqualTo(newest / 1000 * 1000);
		assertThat(fetch("/js/??a.js,c.js", null).getResponseHeaders().getETag()).isNotEqualTo(headers.getETag());
		get("/js/??c.js,a.js,b.js").header(HttpHeaders.IF_NONE_MATCH, headers.getETag()).exchange()
			.expectStatus().isNotModified().expectBody().isEmpty();
	}

	@Test
	void bundlesAreCompressedAndSentFromTheCacheWithSendfile() throws Exception {
		EntityExchangeResult<byte[]> firstResult = fetch("/css/??site.css,site.css", "gzip");
		byte[] first = firstResult.getResponseBody();
		assertThat(CompressionSite.decode("gzip", first)).isEqualTo(concat("css/site.css", "css/site.css"));
		this.recorder.clear();
		EntityExchangeResult<byte[]> second = fetch("/css/??site.css,site.css", "gzip");
		assertThat(second.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo("gzip");
		assertThat(second.getResponseHeaders().getFirst(HttpHeaders.VARY)).isEqualTo("Accept-Encoding");
		assertThat(second.getResponseBody()).isEqualTo(first);
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anySatisfy((write) -> assertThat(write)
			.isEqualTo(new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", first.length))));
	}

	@Test
	void aChangedMemberMakesANewBundle() throws Exception {
		Path member = compressionSite.root.resolve("js/changing-member.js");
		Files.writeString(member, "var before = 1;\n");
		EntityExchangeResult<byte[]> before = fetch("/js/??a.js,changing-member.js", null);
		Files.writeString(member, "var after = 22;\n");
		Files.setLastModifiedTime(member, FileTime.from(Instant.now().plusSeconds(5)));
		EntityExchangeResult<byte[]> after = fetch("/js/??a.js,changing-member.js", null);
		assertThat(after.getResponseBody()).isEqualTo(concat("js/a.js", "js/changing-member.js"));
		assertThat(after.getResponseHeaders().getETag()).isNotEqualTo(before.getResponseHeaders().getETag());
	}

	@Test
	void refusals() {
		status("/js/??a.js,a.js,a.js,a.js,a.js,a.js,a.js,a.js,a.js,a.js,a.js", HttpStatus.BAD_REQUEST);
		status("/js/??a.js,../noise.bin", HttpStatus.BAD_REQUEST);
		status("/js/??a.js,%2e%2e/noise.bin", HttpStatus.BAD_REQUEST);
		status("/??js/a.js,css/site.css", HttpStatus.BAD_REQUEST);
		status("/js/??secret.txt", HttpStatus.BAD_REQUEST);
		status("/js/??", HttpStatus.BAD_REQUEST);
		status("/js/??a.js,missing.js", HttpStatus.NOT_FOUND);
		status("/??js", HttpStatus.NOT_FOUND);
		this.client.post().uri("/js/??a.js").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
			.expectBody().returnResult();
	}

	private void status(String target, HttpStatus status) {
		get(target).exchange().expectStatus().isEqualTo(status).expectBody().returnResult();
	}

	@Test
	void linksCarryAVersionThatFollowsTheMembers() throws Exception {
		String link = this.links.versioned("/js/", List.of("a.js", "b.js")).block();
		assertThat(link).matches("/js/\\?\\?a\\.js,b\\.js\\?v=[0-9a-f]{12}");
		assertThat(fetch(link, null).getResponseBody()).isEqualTo(concat("js/a.js", "js/b.js"));
		Path b = compressionSite.root.resolve("js/b.js");
		Files.setLastModifiedTime(b, FileTime.from(Instant.now().plusSeconds(30)));
		assertThat(this.links.versioned("/js/", List.of("a.js", "b.js")).block()).isNotEqualTo(link);
	}

}
