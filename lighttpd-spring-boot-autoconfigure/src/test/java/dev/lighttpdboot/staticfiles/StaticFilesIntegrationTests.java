package dev.lighttpdboot.staticfiles;

import java.nio.charset.StandardCharsets;

import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document root on a real server: precedence, index files, directories, listing and missing files, with
 * {@code lighttpd.files.dispatch} at its default and at {@code direct}.
 */
class StaticFilesIntegrationTests {

	static final String DIRECT = "lighttpd.files.dispatch=direct";

	abstract static class OnServer extends RealServerTests {

		String body(String path) {
			return new String(get(path).exchange().expectStatus().isOk().expectBody().returnResult()
				.getResponseBody(), StandardCharsets.UTF_8);
		}

		/** Whether the application's own WebFilter saw the request of this answer. */
		boolean applicationFilterSaw(String path) {
			return get(path).exchange().returnResult(byte[].class).getResponseHeaders()
				.containsHeader(ApplicationFilter.HEADER);
		}

	}

	/**
	 * An application's WebFilter of the highest precedence, as Spring Security's would guard every path: it marks
	 * every answer it sees. And a handler for a path that names no file.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class ApplicationFilter {

		static final String HEADER = "X-Application-Filter";

		@Bean
		RouterFunction<ServerResponse> applicationOnly() {
			return RouterFunctions.route()
				.GET("/application-only", (request) -> ServerResponse.ok().bodyValue("from the application"))
				.build();
		}

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		WebFilter markingFilter() {
			return (exchange, chain) -> {
				exchange.getResponse().getHeaders().set(HEADER, "seen");
				return chain.filter(exchange);
			};
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, ApplicationFilter.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	class Precedence extends OnServer {

		@Test
		void applicationHandlersWin() {
			assertThat(body("/shadowed.txt")).contains("controller");
			assertThat(body("/routed/shadowed.txt")).isEqualTo("from a router function");
		}

		@Test
		void applicationFiltersSeeEveryRequest() {
			assertThat(applicationFilterSaw("/hello.txt")).isTrue();
			assertThat(applicationFilterSaw("/docs/")).isTrue();
			assertThat(applicationFilterSaw("/nowhere.txt")).isTrue();
		}

	}

	/**
	 * The risk that {@code direct} documents: the document root's files win over the application's handlers, and
	 * the application's filters never see a GET for one. Everything else is as in {@link Precedence}.
	 */
	@Nested
	@SpringBootTest(classes = { TestApplication.class, ApplicationFilter.class },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = DIRECT)
	class DirectPrecedence extends OnServer {

		@Test
		void documentRootFilesWinOverApplicationHandlers() {
			assertThat(body("/shadowed.txt")).isEqualTo("the file, not the controller\n");
			assertThat(body("/routed/shadowed.txt")).isEqualTo("the file, not the router function\n");
		}

		@Test
		void applicationHandlersStillAnswerWhatIsNoFile() {
			assertThat(body("/application-only")).isEqualTo("from the application");
		}

		@Test
		void applicationFiltersDoNotSeeDocumentRootFiles() throws Exception {
			assertThat(applicationFilterSaw("/hello.txt")).isFalse();
			assertThat(applicationFilterSaw("/shadowed.txt")).isFalse();
			assertThat(new RawHttp(this.port).exchange("HEAD", "/hello.txt", "").header(ApplicationFilter.HEADER))
				.as("a HEAD").isNull();
		}

		@Test
		void applicationFiltersStillSeeEverythingElse() {
			assertThat(applicationFilterSaw("/docs/")).as("a directory").isTrue();
			assertThat(applicationFilterSaw("/docs")).as("a directory's redirect").isTrue();
			assertThat(applicationFilterSaw("/nowhere.txt")).as("nothing there").isTrue();
			assertThat(applicationFilterSaw("/plain/.invisible")).as("a hidden file").isTrue();
			assertThat(this.client.post().uri("/hello.txt").exchange().returnResult(byte[].class)
				.getResponseHeaders().containsHeader(ApplicationFilter.HEADER)).as("a POST").isTrue();
		}

	}

	/**
	 * Every test of {@link WithDefaults}, the document root served ahead of the application.
	 */
	@Nested
	@TestPropertySource(properties = DIRECT)
	class DirectDispatch extends WithDefaults {

	}

	@Nested
	class WithDefaults extends OnServer {

		@Test
		void servesFiles() {
			assertThat(body("/hello.txt")).isEqualTo(TestSite.HELLO);
			assertThat(body("/link-in.txt")).isEqualTo(TestSite.HELLO);
			assertThat(body("/%C3%BCn%C3%AF%20c%C3%B8d%C3%A9.txt")).isEqualTo("unicode name\n");
			assertThat(body("/a;b.txt")).isEqualTo("semicolon name\n");
			assertThat(body("//docs//index.html")).isEqualTo("<h1>docs index</h1>\n");
		}

		@Test
		void directoryWithoutSlashIsRedirected() throws Exception {
			RawHttp.Response response = new RawHttp(this.port).get("/docs?x=1");
			assertThat(response.status()).isEqualTo(301);
			assertThat(response.header("location")).isEqualTo("/docs/?x=1");
		}

		@Test
		void redirectNeverLeavesTheSite() throws Exception {
			RawHttp.Response response = new RawHttp(this.port).get("//docs");
			assertThat(response.status()).isEqualTo(301);
			assertThat(response.header("location")).isEqualTo("/docs/");
		}

		@Test
		void directoryServesItsIndexFile() {
			assertThat(body("/docs/")).isEqualTo("<h1>docs index</h1>\n");
			this.client.get().uri("/docs/").exchange().expectHeader().contentType("text/html;charset=UTF-8")
			.expectBody().returnResult();
		}

		@Test
		void directoryWithoutIndexIsForbiddenWhenListingIsOff() throws Exception {
			RawHttp.Response response = new RawHttp(this.port).get("/plain/");
			assertThat(response.status()).isEqualTo(403);
			assertThat(response.bodyText()).doesNotContain("a.txt");
		}

		@Test
		void missingFilesAndHiddenFilesAre404() {
			this.client.get().uri("/nowhere.txt").exchange().expectStatus().isNotFound()
			.expectBody().returnResult();
			this.client.get().uri("/link-dangling.txt").exchange().expectStatus().isNotFound()
			.expectBody().returnResult();
			this.client.get().uri("/hello.txt/").exchange().expectStatus().isNotFound()
			.expectBody().returnResult();
			this.client.get().uri("/plain/.invisible").exchange().expectStatus().isNotFound()
			.expectBody().returnResult();
		}

		@Test
		void postToAFileIs405() {
			this.client.post().uri("/hello.txt").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
				.expectHeader().exists(HttpHeaders.ALLOW)
			.expectBody().returnResult();
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "lighttpd.static-files.dir-listing=true", "lighttpd.static-files.index-files=missing.html,index.html" })
	class WithListing extends OnServer {

		@Test
		void listsEscapedNamesWithoutHiddenOnes() {
			String html = body("/plain/");
			assertThat(html).contains("Index of /plain/", "href=\"./a.txt\"", "href=\"./sub/\"")
				.contains("&lt;script&gt;alert(1)&lt;\\script&gt;&amp;.txt")
				.contains("href=\"./%3Cscript%3Ealert(1)%3C%5Cscript%3E&amp;.txt\"")
				.doesNotContain("<script>")
				.doesNotContain(".invisible");
		}

		@Test
		void indexFilesAreTriedInOrder() {
			assertThat(body("/docs/")).isEqualTo("<h1>docs index</h1>\n");
		}

		@Test
		void rootListingHidesHiddenEntries() {
			String html = body("/");
			assertThat(html).contains("hello.txt").doesNotContain(".git").doesNotContain(".hidden.txt");
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = "lighttpd.static-files.serve-hidden-files=true")
	class WithHiddenFiles extends OnServer {

		@Test
		void servesHiddenFilesButStillNoTraversal() throws Exception {
			this.client.get().uri("/.git/config").exchange().expectStatus().isOk()
			.expectBody().returnResult();
			assertThat(new RawHttp(this.port).get("/.%2e/secret.txt").status()).isEqualTo(400);
			assertThat(new RawHttp(this.port).get("/link-out.txt").status()).isEqualTo(403);
		}

	}

}
