package dev.lighttpdboot.sendfile;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.lighttpdboot.test.DebugLogging;
import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * X-Sendfile and its relatives from controllers and router functions, on a real server.
 */
@SpringBootTest(classes = { TestApplication.class, SendfileTestHandlers.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class XSendfileIntegrationTests extends RealServerTests {

	@DynamicPropertySource
	static void accelLocation(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.sendfile.accel-locations[/protected/]", () -> site.root().resolve("plain").toString());
	}

	@Autowired
	OutboundRecorder recorder;

	@Autowired
	MeterRegistry meterRegistry;

	@Test
	void controllerAnswersWithTheFile() {
		EntityExchangeResult<byte[]> result = send("/send?path=" + encoded(site.root().resolve("big.bin").toString()))
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectHeader().contentLength(site.big().length)
			.expectHeader().contentType("application/octet-stream")
			.expectHeader().exists(HttpHeaders.ETAG)
			.expectHeader().exists(HttpHeaders.LAST_MODIFIED)
			.expectBody().returnResult();
		assertThat(result.getResponseBody()).isEqualTo(site.big());
	}

	@Test
	void everyWayOfEndingAResponseWorks() {
		String path = encoded(site.root().resolve("hello.txt").toString());
		for (String uri : new String[] { "/send?path=", "/send-body?path=", "/send-flux?path=", "/fn/send?path=",
				"/fn/send-body?path=" }) {
			EntityExchangeResult<byte[]> result = send(uri + path).expectStatus().isOk()
				.expectHeader().doesNotExist("X-Sendfile")
				.expectBody().returnResult();
			assertThat(new String(result.getResponseBody(), StandardCharsets.UTF_8)).as(uri).isEqualTo(TestSite.HELLO);
		}
	}

	@Test
	void producerHeadersStayAndFileValidatorsReplaceItsOwn() {
		send("/send-body?path=" + encoded(site.root().resolve("hello.txt").toString()))
			.expectStatus().isOk()
			.expectHeader().contentType("application/x-custom")
			.expectHeader().valueEquals(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"report.bin\"")
			.expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "private, max-age=60")
			.expectHeader().contentLength(TestSite.HELLO.length());
	}

	@Test
	void rangeAndConditionalHeadersApplyToTheFile() {
		String uri = "/send?path=" + encoded(site.root().resolve("big.bin").toString());
		EntityExchangeResult<byte[]> partial = this.client.get().uri(URI.create(base() + uri))
			.header(HttpHeaders.RANGE, "bytes=10-19").exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes 10-19/" + site.big().length)
			.expectBody().returnResult();
		assertThat(partial.getResponseBody()).isEqualTo(Arrays.copyOfRange(site.big(), 10, 20));
		String etag = partial.getResponseHeaders().getETag();
		this.client.get().uri(URI.create(base() + uri)).header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
			.expectStatus().isNotModified()
			.expectBody().returnResult();
		this.client.head().uri(URI.create(base() + uri)).exchange()
			.expectStatus().isOk().expectHeader().contentLength(site.big().length)
			.expectBody().returnResult();
	}

	@Test
	void zeroCopyStaysOn() {
		this.recorder.clear();
		send("/send?path=" + encoded(site.root().resolve("big.bin").toString())).expectStatus().isOk()
			.expectBody().returnResult();
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anySatisfy((write) -> assertThat(write)
			.isEqualTo(new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", site.big().length))));
		this.recorder.clear();
		send("/big.bin").expectStatus().isOk().expectBody().returnResult();
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anySatisfy((write) -> assertThat(write)
			.isEqualTo(new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", site.big().length))));
	}

	@Test
	void relativePathsResolveAgainstTheFirstAllowedRoot() {
		send("/send?path=docs/index.html").expectStatus().isOk().expectBody(String.class)
			.isEqualTo("<h1>docs index</h1>\n");
	}

	@Test
	void nonAsciiNamesArePercentEncoded() {
		String name = encoded(site.root().resolve("ünï cødé.txt").toString());
		send("/send?path=" + encoded(name)).expectStatus().isOk().expectBody(String.class).isEqualTo("unicode name\n");
	}

	@Test
	void pathsOutsideTheAllowedRootsAre403AndLogged(CapturedOutput output) throws Exception {
		try (DebugLogging debug = DebugLogging.of(XSendfile.class)) {
			for (String path : new String[] { "/etc/passwd", site.root().resolve("../secret.txt").toString(), "../secret.txt",
					site.root().resolve("link-out.txt").toString(), "link-dir-out/secret.txt" }) {
				RawHttp.Response response = new RawHttp(this.port).get("/send?path=" + encoded(path));
				assertThat(response.status()).as(path).isEqualTo(403);
				assertThat(response.header("x-sendfile")).isNull();
				assertThat(response.bodyText()).doesNotContain(TestSite.SECRET).doesNotContain("root:x:0:0");
			}
			await().untilAsserted(() -> assertThat(output.getOut()).contains("DEBUG")
				.contains("Refused X-Sendfile '/etc/passwd'"));
		}
	}

	@Test
	void aPathOutsideTheRootsIs403WhetherOrNotAFileIsThere() throws Exception {
		assertThat(new RawHttp(this.port).get("/send?path=" + encoded("/no/such/file")).status()).isEqualTo(403);
		assertThat(new RawHttp(this.port).get("/send?path=" + encoded("/etc/passwd")).status()).isEqualTo(403);
	}

	@Test
	void aPostHandlerCanAnswerWithAFile() {
		this.client.post().uri(URI.create(base() + "/send?path=hello.txt")).exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist(HttpHeaders.ETAG)
			.expectBody(String.class).isEqualTo(TestSite.HELLO);
	}

	@Test
	void aFailedLookupDoesNotKeepTheAttachmentHeaders() throws Exception {
		RawHttp.Response response = new RawHttp(this.port).get("/send-body?path=nowhere.txt");
		assertThat(response.status()).isEqualTo(404);
		assertThat(response.header("content-disposition")).isNull();
	}

	@Test
	void missingFilesAre404() throws Exception {
		RawHttp.Response response = new RawHttp(this.port).get("/send?path=nowhere.txt");
		assertThat(response.status()).isEqualTo(404);
		assertThat(response.header("x-sendfile")).isNull();
	}

	@Test
	void headersNeverLeakOnErrors() throws Exception {
		RawHttp.Response response = new RawHttp(this.port).get("/send-then-fail");
		assertThat(response.status()).isEqualTo(409);
		assertThat(response.headers().keySet()).noneMatch((name) -> name.startsWith("x-sendfile")
				|| name.startsWith("x-lighttpd"));
		assertThat(response.bodyText()).doesNotContain("root:x:0:0");
	}

	@Test
	void aProducerStatusIsKept() {
		send("/send-status?path=hello.txt").expectStatus().isNotFound()
			.expectHeader().doesNotExist(HttpHeaders.ETAG)
			.expectBody(String.class).isEqualTo(TestSite.HELLO);
	}

	@Test
	void xSendfile2ConcatenatesRanges() {
		String hello = encoded(site.root().resolve("hello.txt").toString());
		String big = encoded(site.root().resolve("big.bin").toString());
		EntityExchangeResult<byte[]> one = send("/send?header=X-Sendfile2&path=" + encoded(big + " 100-199"))
			.expectStatus().isOk().expectHeader().contentLength(100).expectBody().returnResult();
		assertThat(one.getResponseBody()).isEqualTo(Arrays.copyOfRange(site.big(), 100, 200));
		EntityExchangeResult<byte[]> two = send("/send?header=X-Sendfile2&path=" + encoded(hello + " 0-4, " + hello + " 7-"))
			.expectStatus().isOk().expectBody().returnResult();
		assertThat(new String(two.getResponseBody(), StandardCharsets.UTF_8)).isEqualTo("Hello" + TestSite.HELLO.substring(7));
		send("/send?header=X-Sendfile2&path=" + encoded(hello + " 5-1")).expectStatus().isEqualTo(500)
			.expectBody().returnResult();
		send("/send?header=X-Sendfile2&path=" + encoded(hello + " 0-99999")).expectStatus().isEqualTo(500)
			.expectBody().returnResult();
	}

	@Test
	void xAccelRedirectMapsThroughItsPrefix() throws Exception {
		send("/send?header=X-Accel-Redirect&path=" + encoded("/protected/a.txt")).expectStatus().isOk()
			.expectBody(String.class).isEqualTo("a\n");
		send("/send?header=X-Accel-Redirect&path=" + encoded("/unmapped/a.txt")).expectStatus().isNotFound()
			.expectBody().returnResult();
		RawHttp.Response traversal = new RawHttp(this.port)
			.get("/send?header=X-Accel-Redirect&path=" + encoded("/protected/../hello.txt"));
		assertThat(traversal.status()).isEqualTo(500);
		assertThat(traversal.bodyText()).doesNotContain("Hello");
		assertThat(traversal.header("x-accel-redirect")).isNull();
	}

	@Test
	void flvSeeksWorkThroughXSendfile() {
		byte[] movie = site.movie();
		EntityExchangeResult<byte[]> result = send("/send?path=movie.flv&start=1000").expectStatus().isOk()
			.expectHeader().contentType("video/x-flv")
			.expectHeader().contentLength(13 + movie.length - 1000)
			.expectBody().returnResult();
		assertThat(Arrays.copyOfRange(result.getResponseBody(), 13, result.getResponseBody().length))
			.isEqualTo(Arrays.copyOfRange(movie, 1000, movie.length));
	}

	@Test
	void requestsAreCounted() {
		double before = count("ok");
		send("/send?path=hello.txt").expectStatus().isOk().expectBody().returnResult();
		await().untilAsserted(() -> assertThat(count("ok")).isEqualTo(before + 1));
	}

	private double count(String outcome) {
		var counter = this.meterRegistry.find("lighttpd.sendfile.requests").tag("header", "x-sendfile")
			.tag("outcome", outcome).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private WebTestClient.ResponseSpec send(String uri) {
		return get(uri).exchange();
	}

	private static String encoded(String value) {
		return UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8);
	}

}
