package dev.lighttpdboot.secdownload;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.test.DebugLogging;
import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signed links on a real server, with BlockHound watching the event loop: every status of the feature, file
 * semantics shared with static files, zero-copy, traversal attempts, metrics and log lines. Links are issued
 * relative to the real clock (valid ones now, expired ones half an hour ago), so no test waits.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecureDownloadIntegrationTests {

	private static final String SECRET = "integration-secret-9f2c";

	/** An application route under the prefix that is not a link (TestApplication has the meter registry). */
	@Configuration(proxyBeanMethods = false)
	static class Extras {

		@Bean
		RouterFunction<ServerResponse> underThePrefix() {
			return RouterFunctions.route()
				.GET("/dl/about", (request) -> ServerResponse.ok().bodyValue("not a link, passed on"))
				.build();
		}

	}

	abstract static class OnServer extends RealServerTests {

		@Autowired
		SecureLinks links;

		@Autowired
		MeterRegistry registry;

		RawHttp.Response raw(String target) throws Exception {
			return raw().get(target);
		}

		double count(String outcome) {
			return this.registry.get("lighttpd.secdownload.requests").tag("outcome", outcome).counter().count();
		}

		static String withToken(String link, String token) {
			String[] parts = link.split("/", 4);
			return "/" + parts[1] + "/" + token + "/" + parts[3];
		}

		static String tokenOf(String link) {
			return link.split("/", 4)[2];
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, Extras.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET,
					"lighttpd.secdownload.algorithm=hmac-sha256" })
	class HmacSha256 extends OnServer {

		@DynamicPropertySource
		static void downloadRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.secdownload.document-root", () -> site.root().toString());
		}

		@Autowired
		OutboundRecorder recorder;

		@Test
		void validLinkServesTheFileByteExactWithValidators() {
			assertServesBigFile(get(this.links.link("/big.bin")));
			get(this.links.link("/hello.txt")).exchange()
				.expectStatus().isOk()
				.expectHeader().contentType("text/plain;charset=UTF-8")
				.expectBody(String.class).isEqualTo(TestSite.HELLO);
		}

		@Test
		void namesAreEncodedInLinksAndDecodedForTheFile() {
			get(this.links.link("/ünï cødé.txt")).exchange().expectStatus().isOk()
				.expectBody(String.class).isEqualTo("unicode name\n");
			get(this.links.link("/a;b.txt")).exchange().expectStatus().isOk()
				.expectBody(String.class).isEqualTo("semicolon name\n");
		}

		@Test
		void rangeGives206() {
			EntityExchangeResult<byte[]> result = get(this.links.link("/big.bin"))
				.header(HttpHeaders.RANGE, "bytes=1000-1999").exchange()
				.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
				.expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes 1000-1999/" + site.big().length)
				.expectHeader().contentLength(1000)
				.expectBody().returnResult();
			assertThat(result.getResponseBody()).isEqualTo(Arrays.copyOfRange(site.big(), 1000, 2000));
		}

		@Test
		void ifNoneMatchGives304() {
			String link = this.links.link("/hello.txt");
			String etag = get(link).exchange().expectBody().returnResult().getResponseHeaders().getETag();
			get(link).header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
				.expectStatus().isNotModified()
				.expectHeader().valueEquals(HttpHeaders.ETAG, etag)
				.expectBody().isEmpty();
		}

		@Test
		void headSendsHeadersOnly() throws Exception {
			RawHttp.Response response = new RawHttp(this.port).exchange("HEAD", this.links.link("/big.bin"), "");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("content-length")).isEqualTo(Integer.toString(site.big().length));
			assertThat(response.header("etag")).isNotNull();
			assertThat(response.body()).isEmpty();
		}

		@Test
		void otherMethodsGet405AsForAnyFile() {
			this.client.post().uri(URI.create("http://127.0.0.1:" + this.port + this.links.link("/hello.txt")))
				.exchange()
				.expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
				.expectHeader().valueEquals(HttpHeaders.ALLOW, "GET, HEAD, OPTIONS")
			.expectBody().returnResult();
		}

		@Test
		void wholeFileGoesOutAsAFileRegionOnEpoll() {
			this.recorder.clear();
			get(this.links.link("/big.bin")).exchange().expectStatus().isOk().expectBody().returnResult();
			await().untilAsserted(() -> assertThat(this.recorder.writes())
				.anySatisfy((write) -> assertThat(write).isEqualTo(
						new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", site.big().length))));
			assertThat(this.recorder.writes()).noneMatch((write) -> write.type().equals("ByteBuf") && write.bytes() > 8192);
		}

		@Test
		void wrongTokenIs403() throws Exception {
			String link = this.links.link("/hello.txt");
			String token = tokenOf(link);
			String flipped = ((token.charAt(0) == 'A') ? 'B' : 'A') + token.substring(1);
			RawHttp.Response response = raw(withToken(link, flipped));
			assertThat(response.status()).isEqualTo(403);
			assertThat(response.bodyText()).doesNotContain(TestSite.HELLO);
		}

		@Test
		void tokenOfAnotherFileIs403() throws Exception {
			String link = this.links.link("/hello.txt");
			assertThat(raw(link.replace("/hello.txt", "/big.bin")).status()).isEqualTo(403);
			assertThat(raw(link.replace("/hello.txt", "/docs/index.html")).status()).isEqualTo(403);
		}

		@Test
		void expiredLinkIs410() throws Exception {
			assertThat(raw(this.links.link("/hello.txt", Instant.now().minusSeconds(1800))).status()).isEqualTo(410);
			assertThat(raw(this.links.link("/hello.txt", Instant.now().minusSeconds(70))).status()).isEqualTo(410);
			assertThat(raw(this.links.link("/hello.txt", Instant.now().minusSeconds(30))).status()).isEqualTo(200);
		}

		@Test
		void farFutureLinkIs410() throws Exception {
			assertThat(raw(this.links.link("/hello.txt", Instant.now().plusSeconds(1800))).status()).isEqualTo(410);
			String far = this.links.link("/hello.txt").replaceFirst("/[0-9a-f]{8}/", "/ffffffffffffffff/");
			assertThat(raw(far).status()).isEqualTo(410);
		}

		@Test
		void timeIsCheckedBeforeTheToken() throws Exception {
			String expired = this.links.link("/hello.txt", Instant.now().minusSeconds(1800));
			assertThat(raw(withToken(expired, "A".repeat(43))).status()).isEqualTo(410);
		}

		@Test
		void whatIsNotALinkIsPassedOnAndEndsAs404() throws Exception {
			String link = this.links.link("/hello.txt");
			String token = tokenOf(link);
			String hexTime = link.split("/")[3];
			List<String> malformed = List.of("/dl/", "/dl/hello.txt", "/dl/" + token, "/dl/" + token + "/",
					"/dl/" + token + "/" + hexTime, "/dl/" + token + "//hello.txt",
					"/dl/" + token.substring(1) + "/" + hexTime + "/hello.txt",
					"/dl/" + token + "A/" + hexTime + "/hello.txt", "/dl/" + token + "=/" + hexTime + "/hello.txt",
					"/dl/" + token + "/" + hexTime.replace(hexTime.charAt(0), 'g') + "/hello.txt",
					"/dl/" + token + "/" + "0".repeat(17) + "/hello.txt", "/dl/" + token + "/-1/hello.txt");
			for (String target : malformed) {
				RawHttp.Response response = raw(target);
				assertThat(response.status()).as(target).isEqualTo(404);
				assertThat(response.bodyText()).as(target).doesNotContain(TestSite.HELLO);
			}
		}

		@Test
		void applicationHandlersStillSeeWhatIsNotALink() {
			get("/dl/about").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("not a link, passed on");
		}

		@Test
		void validLinkToAMissingFileIs404() throws Exception {
			assertThat(raw(this.links.link("/nowhere.txt")).status()).isEqualTo(404);
			assertThat(raw(this.links.link("/link-dangling.txt")).status()).isEqualTo(404);
			assertThat(raw(this.links.link("/hello.txt/")).status()).isEqualTo(404);
		}

		@Test
		void validLinkToADirectoryIs403() throws Exception {
			assertThat(raw(this.links.link("/docs/")).status()).isEqualTo(403);
			assertThat(raw(this.links.link("/docs")).status()).isEqualTo(403);
		}

		@Test
		void hiddenFilesAreNotServedEvenWithAValidLink() throws Exception {
			for (String path : List.of("/.hidden.txt", "/.git/config", "/plain/.invisible")) {
				RawHttp.Response response = raw(this.links.link(path));
				assertThat(response.status()).as(path).isEqualTo(404);
				assertThat(response.bodyText()).as(path).doesNotContain(TestSite.SECRET);
			}
		}

		@Test
		void nothingOutsideTheRootIsEverServed() throws Exception {
			String base = this.links.link("/hello.txt").replace("/hello.txt", "");
			List<String> unsafe = new ArrayList<>(List.of(base + "/../secret.txt", base + "/../../secret.txt",
					base + "/docs/../../secret.txt", base + "/%2e%2e/secret.txt", base + "/.%2e/secret.txt",
					base + "/..%2fsecret.txt", base + "/%2e%2e%2f%2e%2e%2fsecret.txt", base + "/..%5csecret.txt",
					base + "/..\\secret.txt", base + "/hello.txt%00", base + "/%00/../secret.txt",
					base + "/../www-sibling/secret.txt", base + "/" + "../".repeat(20) + "etc/passwd",
					base + "/" + "%2e%2e/".repeat(20) + "etc/passwd"));
			for (String target : unsafe) {
				assertRefused(target, 400);
			}
			// Validly signed, but leading out of the root through a symlink.
			for (String path : List.of("/link-out.txt", "/link-dir-out/secret.txt", "/link-sibling/secret.txt",
					"/link-relative-out.txt", "/link-dir-out/")) {
				assertRefused(this.links.link(path), 403);
			}
			// Not links: passed on, and nothing else serves them.
			for (String target : List.of("/dl/../secret.txt", "/dl/%2e%2e/secret.txt", "/dl/..%2f..%2fsecret.txt",
					"/dl/" + "../".repeat(5) + "secret.txt", "/dl/..;/secret.txt")) {
				RawHttp.Response response = raw(target);
				assertThat(response.status()).as(target).isBetween(400, 499);
				assertThat(response.bodyText()).as(target).doesNotContain(TestSite.SECRET);
			}
		}

		private void assertRefused(String target, int status) throws Exception {
			for (String method : List.of("GET", "HEAD")) {
				RawHttp.Response response = new RawHttp(this.port).exchange(method, target, "");
				assertThat(response.status()).as(method + " " + target).isEqualTo(status);
				response.assertRevealsNothing(method + " " + target);
			}
		}

		@Test
		void everyOutcomeIsCounted() throws Exception {
			Map<String, Double> before = Map.of("ok", count("ok"), "bad-token", count("bad-token"), "expired",
					count("expired"), "malformed", count("malformed"), "not-found", count("not-found"), "refused",
					count("refused"));
			String link = this.links.link("/hello.txt");
			assertThat(raw(link).status()).isEqualTo(200);
			assertThat(raw(link.replace("/hello.txt", "/big.bin")).status()).isEqualTo(403);
			assertThat(raw(this.links.link("/hello.txt", Instant.now().minusSeconds(1800))).status()).isEqualTo(410);
			assertThat(raw("/dl/short/1/hello.txt").status()).isEqualTo(404);
			assertThat(raw(this.links.link("/nowhere.txt")).status()).isEqualTo(404);
			assertThat(raw(link.replace("/hello.txt", "/../secret.txt")).status()).isEqualTo(400);
			assertThat(raw("/not-under-the-prefix.txt").status()).isEqualTo(404);
			for (String outcome : before.keySet()) {
				assertThat(count(outcome)).as(outcome).isEqualTo(before.get(outcome) + 1);
			}
		}

		@Test
		void refusalsAreLoggedWithReasonAndPathButNeverTheSecretOrExpectedToken(CapturedOutput output)
				throws Exception {
			try (DebugLogging debug = DebugLogging.of(SecureDownloadWebFilter.class)) {
				String link = this.links.link("/hello.txt");
				String token = tokenOf(link);
				String forged = withToken(link, "Z".repeat(43));
				String expired = this.links.link("/big.bin", Instant.now().minusSeconds(1800));
				assertThat(raw(forged + "?probe=log").status()).isEqualTo(403);
				assertThat(raw(expired).status()).isEqualTo(410);
				assertThat(raw(forged.replace("/hello.txt", "/%2e%2e/secret.txt")).status()).isEqualTo(400);
				await().untilAsserted(() -> assertThat(output.getOut())
					.containsOnlyOnce("Refused GET " + forged + " with 403: bad token")
					.contains("Refused GET " + expired + " with 410: timestamp 18")
					.contains(" s in the past (timeout 60 s)")
					.contains("with 400: '..' segment"));
				assertThat(output.getOut()).doesNotContain(SECRET).doesNotContain(token);
			}
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, Extras.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET,
					"lighttpd.secdownload.algorithm=md5", "lighttpd.secdownload.uri-prefix=/sec/",
					"lighttpd.secdownload.path-segments=1", "lighttpd.secdownload.hash-querystr=true",
					"lighttpd.secdownload.timeout=120s" })
	class Md5WithPathSegmentsAndQuery extends OnServer {

		@DynamicPropertySource
		static void downloadRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.secdownload.document-root", () -> site.root().toString());
		}

		@Test
		void lighttpdsOwnMd5LinkWorks() throws Exception {
			// As lighttpd's tests build it: md5_hex(secret . path . sprintf("%08x", time)).
			String hexTime = String.format("%08x", Instant.now().getEpochSecond());
			String token = Tokens.md5(SECRET, "/hello.txt", hexTime);
			RawHttp.Response response = raw("/sec/" + token + "/" + hexTime + "/hello.txt");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo(TestSite.HELLO);
		}

		@Test
		void oneTokenUnlocksTheFirstSegmentsDirectory() throws Exception {
			String hexTime = String.format("%08x", Instant.now().getEpochSecond());
			String token = Tokens.md5(SECRET, "/plain", hexTime);
			assertThat(raw("/sec/" + token + "/" + hexTime + "/plain/a.txt").bodyText()).isEqualTo("a\n");
			assertThat(raw("/sec/" + token + "/" + hexTime + "/hello.txt").status()).isEqualTo(403);
			assertThat(raw("/sec/" + token + "/" + hexTime + "/docs/index.html").status()).isEqualTo(403);
		}

		@Test
		void theQueryIsPartOfTheToken() throws Exception {
			String link = this.links.link("/clip.flv", "start=0", Instant.now());
			assertThat(raw(link).status()).isEqualTo(200);
			assertThat(raw(link.replace("start=0", "start=5")).status()).isEqualTo(403);
			assertThat(raw(link.replace("?start=0", "")).status()).isEqualTo(403);
		}

		@Test
		void timeoutIsConfigurable() throws Exception {
			assertThat(raw(this.links.link("/hello.txt", Instant.now().minusSeconds(100))).status()).isEqualTo(200);
			assertThat(raw(this.links.link("/hello.txt", Instant.now().minusSeconds(140))).status()).isEqualTo(410);
		}

		@Test
		void theDefaultPrefixIsNoLongerLookedAt() throws Exception {
			assertThat(raw("/dl/" + "0".repeat(32) + "/00000000/hello.txt").status()).isEqualTo(404);
			assertThat(count("malformed")).isZero();
		}

	}

	/**
	 * Every test of {@link HmacSha256}, signed links served ahead of every filter of the application.
	 */
	@Nested
	@TestPropertySource(properties = "lighttpd.files.dispatch=direct")
	class HmacSha256Direct extends HmacSha256 {

	}

	/**
	 * Every test of {@link Md5WithPathSegmentsAndQuery}, signed links served ahead of every filter of the application.
	 */
	@Nested
	@TestPropertySource(properties = "lighttpd.files.dispatch=direct")
	class Md5WithPathSegmentsAndQueryDirect extends Md5WithPathSegmentsAndQuery {

	}

	/** An application filter ordered ahead of the signed-link filter: it marks every answer it sees. */
	@Configuration(proxyBeanMethods = false)
	static class EarliestApplicationFilter {

		static final String HEADER = "X-Application-Filter";

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		WebFilter markingFilter() {
			return (exchange, chain) -> {
				exchange.getResponse().getHeaders().set(HEADER, "seen");
				return chain.filter(exchange);
			};
		}

	}

	abstract static class FilterPrecedence extends OnServer {

		@DynamicPropertySource
		static void downloadRoot(DynamicPropertyRegistry registry) {
			registry.add("lighttpd.secdownload.document-root", () -> site.root().toString());
		}

		boolean applicationFilterSaw(String target) throws Exception {
			return raw(target).header(EarliestApplicationFilter.HEADER) != null;
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, Extras.class, EarliestApplicationFilter.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET })
	class ByDefault extends FilterPrecedence {

		@Test
		void anApplicationFilterOrderedFirstSeesSignedLinks() throws Exception {
			String link = this.links.link("/hello.txt");
			assertThat(raw(link).status()).isEqualTo(200);
			assertThat(applicationFilterSaw(link)).isTrue();
		}

	}

	/**
	 * The risk that {@code direct} documents: no application filter sees a signed link, whatever its order.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, Extras.class, EarliestApplicationFilter.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=" + SECRET,
					"lighttpd.files.dispatch=direct" })
	class Direct extends FilterPrecedence {

		@Test
		void noApplicationFilterSeesSignedLinks() throws Exception {
			String link = this.links.link("/hello.txt");
			assertThat(raw(link).status()).isEqualTo(200);
			assertThat(applicationFilterSaw(link)).as("a valid link").isFalse();
			assertThat(applicationFilterSaw(withToken(link, "0".repeat(tokenOf(link).length()))))
				.as("a bad token").isFalse();
		}

		@Test
		void whatIsNotALinkStillPassesThroughTheApplication() throws Exception {
			RawHttp.Response response = raw("/dl/about");
			assertThat(response.bodyText()).isEqualTo("not a link, passed on");
			assertThat(response.header(EarliestApplicationFilter.HEADER)).isNotNull();
		}

	}

}
