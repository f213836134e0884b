package dev.lighttpdboot.compression;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;

import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Static files compressed on a real server: negotiation, the cache served by {@code sendfile(2)}, validators per
 * encoding, Range on the encoded bytes, precompressed siblings, and files that change.
 */
@SpringBootTest(classes = dev.lighttpdboot.test.TestApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.compression.enabled=true", "lighttpd.files.stat-cache-validity=0",
				"lighttpd.compression.precompressed-check-interval=0" })
class StaticCompressionIntegrationTests extends CompressionServerTests {

	@Autowired
	OutboundRecorder recorder;

	@Autowired
	CompressedFileCache cache;

	@ParameterizedTest
	@ValueSource(strings = { "gzip", "br", "zstd" })
	void eachCodingDecodesToTheFileByteForByte(String coding) throws Exception {
		EntityExchangeResult<byte[]> result = fetch("/js/app.js", coding);
		HttpHeaders headers = result.getResponseHeaders();
		assertThat(headers.getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo(coding);
		assertThat(headers.getFirst(HttpHeaders.VARY)).isEqualTo("Accept-Encoding");
		assertThat(headers.getContentType().toString()).startsWith("text/javascript");
		assertThat(headers.getETag()).endsWith("-" + coding + "\"");
		assertThat(headers.getContentLength()).isEqualTo(result.getResponseBody().length)
			.isLessThan(compressionSite.appJs.length / 2);
		assertThat(CompressionSite.decode(coding, result.getResponseBody())).isEqualTo(compressionSite.appJs);
	}

	@ParameterizedTest
	@ValueSource(strings = { "gzip", "br", "zstd" })
	void secondRequestIsSentFromTheCacheWithSendfile(String coding) {
		byte[] first = fetch("/js/app.js", coding).getResponseBody();
		this.recorder.clear();
		byte[] second = fetch("/js/app.js", coding).getResponseBody();
		assertThat(second).isEqualTo(first);
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anySatisfy((write) -> assertThat(write)
			.isEqualTo(new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", first.length))));
		assertThat(this.recorder.writes()).noneMatch((write) -> write.type().equals("ByteBuf") && write.bytes() > 1024);
	}

	@Test
	void qValuesAndServerPreferenceDecide() {
		assertThat(encodingFor("br;q=0.5, gzip;q=0.8")).isEqualTo("gzip");
		assertThat(encodingFor("gzip, br, zstd")).isEqualTo("br");
		assertThat(encodingFor("gzip;q=0, *")).isEqualTo("br");
		assertThat(encodingFor("br;q=0, zstd;q=0, *;q=0.1")).isEqualTo("gzip");
		assertThat(encodingFor("x-gzip")).isEqualTo("gzip");
		assertThat(encodingFor("identity")).isNull();
		assertThat(encodingFor("gzip;q=0")).isNull();
		assertThat(encodingFor("")).isNull();
		EntityExchangeResult<byte[]> plain = fetch("/js/app.js", null);
		assertThat(plain.getResponseHeaders().getFirst(HttpHeaders.VARY)).isEqualTo("Accept-Encoding");
		assertThat(plain.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(plain.getResponseBody()).isEqualTo(compressionSite.appJs);
	}

	private String encodingFor(String acceptEncoding) {
		return fetch("/js/app.js", acceptEncoding).getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING);
	}

	@Test
	void headAnswersTheHeadersOfGet() throws Exception {
		EntityExchangeResult<byte[]> get = fetch("/js/app.js", "gzip");
		RawHttp.Response head = raw().exchange("HEAD", "/js/app.js", "Accept-Encoding: gzip\r\n");
		assertThat(head.status()).isEqualTo(200);
		assertThat(head.header("content-encoding")).isEqualTo("gzip");
		assertThat(head.header("vary")).isEqualTo("Accept-Encoding");
		assertThat(head.header("etag")).isEqualTo(get.getResponseHeaders().getETag());
		assertThat(head.header("content-length")).isEqualTo(Integer.toString(get.getResponseBody().length));
		assertThat(head.body()).isEmpty();
	}

	@Test
	void conditionalRequestsAndRangeUseTheEncodedRepresentation() {
		EntityExchangeResult<byte[]> whole = fetch("/js/app.js", "br");
		String etag = whole.getResponseHeaders().getETag();
		get("/js/app.js").header(HttpHeaders.ACCEPT_ENCODING, "br").header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
			.expectStatus().isNotModified()
			.expectHeader().valueEquals(HttpHeaders.VARY, "Accept-Encoding")
			.expectHeader().valueEquals(HttpHeaders.ETAG, etag)
			.expectBody().isEmpty();
		// The identity's tag names another representation: the gzip body is sent.
		String identityTag = fetch("/js/app.js", null).getResponseHeaders().getETag();
		get("/js/app.js").header(HttpHeaders.ACCEPT_ENCODING, "gzip").header(HttpHeaders.IF_NONE_MATCH, identityTag)
			.exchange().expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.CONTENT_ENCODING, "gzip")
			.expectBody().returnResult();
		byte[] range = get("/js/app.js").header(HttpHeaders.ACCEPT_ENCODING, "br").header(HttpHeaders.RANGE, "bytes=10-109")
			.header(HttpHeaders.IF_RANGE, etag).exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectHeader().valueEquals(HttpHeaders.CONTENT_ENCODING, "br")
			.expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes 10-109/" + whole.getResponseBody().length)
			.expectBody().returnResult().getResponseBody();
		assertThat(range).isEqualTo(Arrays.copyOfRange(whole.getResponseBody(), 10, 110));
	}

	@Test
	void incompressibleTypesAndSmallFilesAreSentAsTheyAre() {
		EntityExchangeResult<byte[]> noise = fetch("/noise.bin", "gzip, br");
		assertThat(noise.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(noise.getResponseHeaders().getFirst(HttpHeaders.VARY)).isNull();
		EntityExchangeResult<byte[]> tiny = fetch("/js/tiny.js", "gzip, br");
		assertThat(tiny.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(new String(tiny.getResponseBody(), StandardCharsets.UTF_8)).isEqualTo("var x = 1;\n");
	}

	@Test
	void aChangedFileIsNeverServedFromAStaleCopy() throws Exception {
		Path file = compressionSite.root.resolve("js/changing.js");
		byte[] before = CompressionSite.script(20_000, 10);
		Files.write(file, before);
		assertThat(CompressionSite.decode("gzip", fetch("/js/changing.js", "gzip").getResponseBody())).isEqualTo(before);
		byte[] after = CompressionSite.script(20_000, 11);
		Files.write(file, after);
		// Same size; a different modification time even on a coarse clock.
		Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
		assertThat(CompressionSite.decode("gzip", fetch("/js/changing.js", "gzip").getResponseBody())).isEqualTo(after);
	}

	@Test
	void freshPrecompressedSiblingsWinAndStaleOnesAreIgnored() throws Exception {
		Path file = compressionSite.root.resolve("js/pre.js");
		byte[] plain = CompressionSite.script(10_000, 20);
		Files.write(file, plain);
		// The sibling holds other text, so the answer shows which file was sent.
		byte[] marker = "/* from the precompressed sibling */".repeat(20).getBytes(StandardCharsets.UTF_8);
		Path sibling = compressionSite.root.resolve("js/pre.js.gz");
		Files.write(sibling, CompressionSite.gzip(marker));
		Files.setLastModifiedTime(sibling, Files.getLastModifiedTime(file));
		EntityExchangeResult<byte[]> fresh = fetch("/js/pre.js", "gzip");
		assertThat(CompressionSite.decode("gzip", fresh.getResponseBody())).isEqualTo(marker);
		assertThat(fresh.getResponseHeaders().getContentType().toString()).startsWith("text/javascript");
		assertThat(fresh.getResponseHeaders().getETag()).endsWith("-gzip\"");
		// No .br sibling: brotli comes from the cache.
		assertThat(CompressionSite.decode("br", fetch("/js/pre.js", "br").getResponseBody())).isEqualTo(plain);

		Files.setLastModifiedTime(sibling, FileTime.from(Files.getLastModifiedTime(file).toInstant().minusSeconds(60)));
		assertThat(CompressionSite.decode("gzip", fetch("/js/pre.js", "gzip").getResponseBody())).isEqualTo(plain);
	}

}
