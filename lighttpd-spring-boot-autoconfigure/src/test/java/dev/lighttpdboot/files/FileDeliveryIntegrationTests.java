package dev.lighttpdboot.files;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestSite;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP semantics of {@link FileDelivery}, through the static document root of a real server on a random
 * port, with BlockHound watching the event loop.
 */
class FileDeliveryIntegrationTests extends RealServerTests {

	@Autowired
	OutboundRecorder recorder;

	@Test
	void wholeFileIsByteExactWithValidators() {
		assertServesBigFile(get("/big.bin"));
	}

	@Test
	void wholeFileAndSingleRangeGoOutAsFileRegionsOnEpoll() {
		this.recorder.clear();
		get("/big.bin").exchange().expectStatus().isOk().expectBody().returnResult();
		await().untilAsserted(() -> assertThat(this.recorder.writes())
			.anySatisfy((write) -> assertThat(write).isEqualTo(
					new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", site.big().length))));
		assertThat(this.recorder.writes()).noneMatch((write) -> write.type().equals("ByteBuf") && write.bytes() > 8192);

		this.recorder.clear();
		get("/big.bin").header(HttpHeaders.RANGE, "bytes=1000-299999").exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody().returnResult();
		await().untilAsserted(() -> assertThat(this.recorder.writes())
			.anySatisfy((write) -> assertThat(write).isEqualTo(
					new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", 299000))));
	}

	@Test
	void headSendsHeadersOnly() throws Exception {
		RawHttp.Response response = new RawHttp(this.port).exchange("HEAD", "/big.bin", "");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.header("content-length")).isEqualTo(Integer.toString(site.big().length));
		assertThat(response.header("etag")).isNotNull();
		assertThat(response.body()).isEmpty();
	}

	@Test
	void emptyFile() {
		get("/empty.txt").exchange().expectStatus().isOk().expectHeader().contentLength(0).expectBody().isEmpty();
	}

	@Test
	void contentTypes() {
		get("/hello.txt").exchange().expectHeader().contentType("text/plain;charset=UTF-8")
			.expectBody().returnResult();
		get("/style.css").exchange().expectHeader().contentType("text/css;charset=UTF-8")
			.expectBody().returnResult();
		get("/data.json").exchange().expectHeader().contentType("application/json;charset=UTF-8")
			.expectBody().returnResult();
		get("/clip.flv").exchange().expectHeader().contentType("video/x-flv")
			.expectBody().returnResult();
	}

	@Test
	void otherMethodsGet405WithAllow() {
		for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH)) {
			this.client.method(method).uri("/hello.txt").exchange()
				.expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
				.expectHeader().valueEquals(HttpHeaders.ALLOW, "GET, HEAD, OPTIONS")
			.expectBody().returnResult();
		}
		this.client.options().uri("/hello.txt").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(HttpHeaders.ALLOW, "GET, HEAD, OPTIONS")
			.expectBody().returnResult();
	}

	@Test
	void ifNoneMatchAndIfModifiedSinceGive304() {
		String etag = etagOf("/hello.txt");
		get("/hello.txt").header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
			.expectStatus().isNotModified()
			.expectHeader().valueEquals(HttpHeaders.ETAG, etag)
			.expectBody().isEmpty();
		get("/hello.txt").header(HttpHeaders.IF_NONE_MATCH, "\"other\"").exchange().expectStatus().isOk()
			.expectBody().returnResult();
		get("/hello.txt").header(HttpHeaders.IF_MODIFIED_SINCE, date(Instant.now().plusSeconds(60))).exchange()
			.expectStatus().isNotModified()
			.expectBody().returnResult();
		get("/hello.txt").header(HttpHeaders.IF_MODIFIED_SINCE, date(Instant.parse("2000-01-01T00:00:00Z")))
			.exchange().expectStatus().isOk()
			.expectBody().returnResult();
	}

	@Test
	void ifMatchAndIfUnmodifiedSinceGive412() {
		get("/hello.txt").header(HttpHeaders.IF_MATCH, "\"other\"").exchange()
			.expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED).expectBody().isEmpty();
		get("/hello.txt").header(HttpHeaders.IF_MATCH, etagOf("/hello.txt")).exchange().expectStatus().isOk()
			.expectBody().returnResult();
		get("/hello.txt").header(HttpHeaders.IF_UNMODIFIED_SINCE, date(Instant.parse("2000-01-01T00:00:00Z")))
			.exchange().expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED)
			.expectBody().returnResult();
	}

	@Test
	void singleRanges() {
		byte[] big = site.big();
		assertRange("bytes=0-99", 0, 99, big);
		assertRange("bytes=1048000-", 1048000, big.length - 1, big);
		assertRange("bytes=-500", big.length - 500, big.length - 1, big);
		assertRange("bytes=1048570-99999999", 1048570, big.length - 1, big);
		assertRange("bytes=5000000-, 10-19", 10, 19, big);
	}

	@Test
	void severalRangesGiveMultipartByteranges() {
		EntityExchangeResult<byte[]> result = get("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9, 100-109, -5")
			.exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectBody().returnResult();
		String contentType = result.getResponseHeaders().getContentType().toString();
		assertThat(contentType).startsWith("multipart/byteranges;boundary=");
		String body = new String(result.getResponseBody(), StandardCharsets.ISO_8859_1);
		int size = site.big().length;
		assertThat(body).contains("Content-Range: bytes 0-9/" + size, "Content-Range: bytes 100-109/" + size,
				"Content-Range: bytes " + (size - 5) + "-" + (size - 1) + "/" + size,
				"Content-Type: application/octet-stream");
		assertThat(body).contains(new String(Arrays.copyOfRange(site.big(), 100, 110), StandardCharsets.ISO_8859_1));
	}

	@Test
	void unsatisfiableRangeGives416() {
		int size = site.big().length;
		for (String range : List.of("bytes=" + size + "-", "bytes=99999999-", "bytes=-0")) {
			get("/big.bin").header(HttpHeaders.RANGE, range).exchange()
				.expectStatus().isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
				.expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */" + size)
				.expectBody().isEmpty();
		}
		get("/empty.txt").header(HttpHeaders.RANGE, "bytes=0-").exchange()
			.expectStatus().isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
			.expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */0")
			.expectBody().returnResult();
	}

	@Test
	void malformedOrAmplifyingRangesAreIgnored() {
		for (String range : List.of("bytes=abc", "bytes=10-5", "items=0-1", "bytes=0-,0-,0-")) {
			EntityExchangeResult<byte[]> result = get("/big.bin").header(HttpHeaders.RANGE, range).exchange()
				.expectStatus().isOk()
				.expectBody().returnResult();
			assertThat(result.getResponseBody()).as(range).isEqualTo(site.big());
		}
	}

	@Test
	void ifRangeDecidesWhetherTheRangeApplies() {
		String etag = etagOf("/big.bin");
		String lastModified = lastModifiedOf("/big.bin");
		get("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9").header(HttpHeaders.IF_RANGE, etag).exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectHeader().contentLength(10)
			.expectBody().returnResult();
		get("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9").header(HttpHeaders.IF_RANGE, lastModified).exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectBody().returnResult();
		get("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9").header(HttpHeaders.IF_RANGE, "\"stale\"").exchange()
			.expectStatus().isOk().expectHeader().contentLength(site.big().length)
			.expectBody().returnResult();
		get("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9")
			.header(HttpHeaders.IF_RANGE, "Thu, 01 Jan 2004 00:00:00 GMT").exchange()
			.expectStatus().isOk()
			.expectBody().returnResult();
	}

	@Test
	void headIgnoresRange() {
		this.client.head().uri("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9").exchange()
			.expectStatus().isOk().expectHeader().contentLength(site.big().length)
			.expectBody().returnResult();
	}

	@Test
	void keepAliveSurvivesEveryKindOfResponse() throws Exception {
		try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
			assertThat(connection.exchange("GET", "/hello.txt", "").bodyText()).isEqualTo(TestSite.HELLO);
			assertThat(connection.exchange("HEAD", "/big.bin", "").status()).isEqualTo(200);
			RawHttp.Response partial = connection.exchange("GET", "/big.bin", "Range: bytes=0-4\r\n");
			assertThat(partial.status()).isEqualTo(206);
			assertThat(partial.body()).isEqualTo(Arrays.copyOfRange(site.big(), 0, 5));
			String etag = partial.header("etag");
			assertThat(connection.exchange("GET", "/big.bin", "If-None-Match: " + etag + "\r\n").status())
				.isEqualTo(304);
			assertThat(connection.exchange("GET", "/big.bin", "Range: bytes=99999999-\r\n").status()).isEqualTo(416);
			assertThat(connection.exchange("GET", "/big.bin", "If-Match: \"x\"\r\n").status()).isEqualTo(412);
			assertThat(connection.exchange("DELETE", "/big.bin", "").status()).isEqualTo(405);
			assertThat(connection.exchange("GET", "/big.bin", "").body()).isEqualTo(site.big());
			assertThat(connection.exchange("GET", "/hello.txt", "Connection: close\r\n").bodyText())
				.isEqualTo(TestSite.HELLO);
			assertThat(connection.isClosedByPeer()).isTrue();
		}
	}

	private void assertRange(String range, long first, long last, byte[] file) {
		EntityExchangeResult<byte[]> result = get("/big.bin").header(HttpHeaders.RANGE, range).exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes " + first + "-" + last + "/" + file.length)
			.expectHeader().contentLength(last - first + 1)
			.expectBody().returnResult();
		assertThat(result.getResponseBody()).as(range)
			.isEqualTo(Arrays.copyOfRange(file, (int) first, (int) last + 1));
	}

	private String etagOf(String path) {
		return get(path).exchange().expectBody().returnResult().getResponseHeaders().getETag();
	}

	private String lastModifiedOf(String path) {
		return get(path).exchange().expectBody().returnResult().getResponseHeaders().getFirst(HttpHeaders.LAST_MODIFIED);
	}

	private static String date(Instant instant) {
		return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
	}

}
