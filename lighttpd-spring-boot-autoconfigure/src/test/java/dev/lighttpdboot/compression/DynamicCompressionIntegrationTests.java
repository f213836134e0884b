package dev.lighttpdboot.compression;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Responses of application handlers compressed while they stream, next to static files that keep their cached
 * representation and {@code sendfile(2)}.
 */
@SpringBootTest(classes = { TestApplication.class, DynamicCompressionIntegrationTests.Handlers.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.compression.enabled=true", "lighttpd.compression.dynamic.enabled=true",
				"lighttpd.compression.dynamic.paths=/dyn/**,/js/**" })
class DynamicCompressionIntegrationTests extends CompressionServerTests {

	static final String PART = "{\"line\":\"" + "x".repeat(2000) + "\"}\n";

	static final Sinks.Many<String> stream = Sinks.many().unicast().onBackpressureBuffer();

	@Autowired
	OutboundRecorder recorder;

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		@Bean
		RouterFunction<ServerResponse> dynamicHandlers() {
			return RouterFunctions.route()
				.route(RequestPredicates.path("/dyn/big").and(RequestPredicates.method(HttpMethod.GET)
					.or(RequestPredicates.method(HttpMethod.HEAD))), (request) -> ServerResponse.ok()
						.contentType(MediaType.TEXT_PLAIN).body(Flux.range(0, 50).map((i) -> PART), String.class))
				.GET("/dyn/small", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("ok"))
				.GET("/dyn/image", (request) -> ServerResponse.ok().contentType(MediaType.IMAGE_PNG)
					.body(Flux.range(0, 10).map((i) -> PART), String.class))
				.GET("/dyn/partial", (request) -> ServerResponse.status(HttpStatus.PARTIAL_CONTENT)
					.contentType(MediaType.TEXT_PLAIN).header(HttpHeaders.CONTENT_RANGE, "bytes 0-19999/40000")
					.body(Flux.range(0, 10).map((i) -> PART.substring(0, 2000)), String.class))
				.GET("/dyn/stream", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN)
					.body(stream.asFlux(), String.class))
				.GET("/other/big", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN)
					.body(Flux.range(0, 10).map((i) -> PART), String.class))
				.build();
		}

	}

	@ParameterizedTest
	@ValueSource(strings = { "gzip", "br", "zstd" })
	void handlerBodiesAreCompressed(String coding) throws Exception {
		EntityExchangeResult<byte[]> result = fetch("/dyn/big", coding);
		assertThat(result.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isEqualTo(coding);
		assertThat(result.getResponseHeaders().getFirst(HttpHeaders.VARY)).isEqualTo("Accept-Encoding");
		assertThat(result.getResponseBody().length).isLessThan(PART.length() * 5);
		assertThat(new String(CompressionSite.decode(coding, result.getResponseBody()), StandardCharsets.UTF_8))
			.isEqualTo(PART.repeat(50));
	}

	@Test
	void headAnswersTheHeadersOfGet() throws Exception {
		fetch("/dyn/big", "gzip");
		RawHttp.Response head = raw().exchange("HEAD", "/dyn/big", "Accept-Encoding: gzip\r\n");
		assertThat(head.status()).isEqualTo(200);
		assertThat(head.header("content-encoding")).isEqualTo("gzip");
		assertThat(head.header("vary")).isEqualTo("Accept-Encoding");
		assertThat(head.body()).isEmpty();
	}

	@Test
	void smallBodiesOtherTypesPartialContentAndOtherPathsAreLeftAlone() {
		EntityExchangeResult<byte[]> small = fetch("/dyn/small", "gzip");
		assertThat(small.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(new String(small.getResponseBody(), StandardCharsets.UTF_8)).isEqualTo("ok");
		assertThat(fetch("/dyn/image", "gzip").getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(fetch("/other/big", "gzip").getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		EntityExchangeResult<byte[]> partial = get("/dyn/partial").header(HttpHeaders.ACCEPT_ENCODING, "gzip").exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody().returnResult();
		assertThat(partial.getResponseHeaders().getFirst(HttpHeaders.CONTENT_ENCODING)).isNull();
		assertThat(partial.getResponseBody()).hasSize(20000);
	}

	@Test
	void whatTheHandlerFlushedReachesTheClientDecodable() throws Exception {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/dyn/stream"))
			.header(HttpHeaders.ACCEPT_ENCODING, "gzip").timeout(Duration.ofSeconds(30)).build();
		stream.tryEmitNext(PART);
		HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).hasValue("gzip");
		try (InputStream body = new GZIPInputStream(response.body())) {
			// The stream is still open: these bytes can only have come from a sync flush.
			assertThat(new String(body.readNBytes(PART.length()), StandardCharsets.UTF_8)).isEqualTo(PART);
			stream.tryEmitNext("end\n");
			stream.tryEmitComplete();
			assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("end\n");
		}
	}

	@Test
	void staticFilesKeepTheirCachedRepresentationAndSendfile() throws Exception {
		byte[] first = fetch("/js/app.js", "gzip").getResponseBody();
		this.recorder.clear();
		EntityExchangeResult<byte[]> second = fetch("/js/app.js", "gzip");
		assertThat(second.getResponseHeaders().get(HttpHeaders.CONTENT_ENCODING)).containsExactly("gzip");
		assertThat(CompressionSite.decode("gzip", second.getResponseBody())).isEqualTo(compressionSite.appJs);
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anySatisfy((write) -> assertThat(write)
			.isEqualTo(new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", first.length))));
		// Identity files too keep sendfile behind the filter.
		this.recorder.clear();
		fetch("/noise.bin", "gzip");
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anyMatch(OutboundRecorder.Write::isFileRegion));
	}

}
