package dev.lighttpdboot.streaming;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

import dev.lighttpdboot.test.OutboundRecorder;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestSite;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * FLV {@code ?start=} seeks on a real server: header + zero-copy region, and the ordinary file otherwise.
 */
class FlvSeekIntegrationTests extends RealServerTests {

	private static final byte[] FLV_HEADER = { 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0 };

	@Autowired
	OutboundRecorder recorder;

	@Autowired
	MeterRegistry meterRegistry;

	@Test
	void seekSendsTheHeaderThenTheFileFromStart() {
		byte[] movie = site.movie();
		EntityExchangeResult<byte[]> result = this.client.get().uri("/movie.flv?start=1000").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("video/x-flv")
			.expectHeader().contentLength(13 + movie.length - 1000)
			.expectHeader().doesNotExist(HttpHeaders.ETAG)
			.expectHeader().doesNotExist(HttpHeaders.CONTENT_RANGE)
			.expectBody().returnResult();
		assertThat(result.getResponseBody()).isEqualTo(concat(FLV_HEADER, Arrays.copyOfRange(movie, 1000, movie.length)));
	}

	@Test
	void theRegionGoesOutZeroCopy() {
		this.recorder.clear();
		this.client.get().uri("/movie.flv?start=13").exchange().expectStatus().isOk().expectBody().returnResult();
		await().untilAsserted(() -> assertThat(this.recorder.writes()).anySatisfy((write) -> assertThat(write)
			.isEqualTo(new OutboundRecorder.Write("EpollSocketChannel", "FileRegion", site.movie().length - 13))));
	}

	@Test
	void lastByteIsAValidStart() {
		byte[] movie = site.movie();
		EntityExchangeResult<byte[]> result = this.client.get().uri("/movie.flv?start=" + (movie.length - 1))
			.exchange()
			.expectStatus().isOk()
			.expectHeader().contentLength(14)
			.expectBody().returnResult();
		assertThat(result.getResponseBody()).isEqualTo(concat(FLV_HEADER, new byte[] { movie[movie.length - 1] }));
	}

	@Test
	void headAnswersTheSeekLength() throws Exception {
		RawHttp.Response response = new RawHttp(this.port).exchange("HEAD", "/movie.flv?start=100", "");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.header("content-length")).isEqualTo(Long.toString(13 + site.movie().length - 100));
		assertThat(response.body()).isEmpty();
	}

	@Test
	void anythingButAValidStartIsTheOrdinaryFileWithRanges() {
		byte[] movie = site.movie();
		for (String query : List.of("", "?start=0", "?start=abc", "?start=-5", "?start=" + movie.length,
				"?start=99999999999999999999", "?start=", "?other=1")) {
			EntityExchangeResult<byte[]> result = this.client.get().uri(URI.create(base() + "/movie.flv" + query))
				.exchange()
				.expectStatus().isOk()
				.expectHeader().exists(HttpHeaders.ETAG)
				.expectHeader().valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
				.expectBody().returnResult();
			assertThat(result.getResponseBody()).as(query).isEqualTo(movie);
		}
		this.client.get().uri("/movie.flv?start=0").header(HttpHeaders.RANGE, "bytes=0-12").exchange()
			.expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
			.expectBody().returnResult();
	}

	@Test
	void otherExtensionsIgnoreStart() {
		EntityExchangeResult<byte[]> result = this.client.get().uri("/big.bin?start=100").exchange()
			.expectStatus().isOk().expectBody().returnResult();
		assertThat(result.getResponseBody()).hasSize(site.big().length);
	}

	@Test
	void keepAliveSurvivesASeek() throws Exception {
		try (RawHttp.Connection connection = new RawHttp(this.port).open()) {
			RawHttp.Response seek = connection.exchange("GET", "/movie.flv?start=500", "");
			assertThat(seek.body()).hasSize(13 + site.movie().length - 500);
			assertThat(connection.exchange("GET", "/hello.txt", "").bodyText()).isEqualTo(TestSite.HELLO);
		}
	}

	@Test
	void seeksAreCounted() {
		double before = seeks();
		this.client.get().uri("/movie.flv?start=77").exchange().expectStatus().isOk().expectBody().returnResult();
		await().untilAsserted(() -> assertThat(seeks()).isEqualTo(before + 1));
	}

	private double seeks() {
		var counter = this.meterRegistry.find("lighttpd.streaming.seeks").tag("format", "flv").counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] result = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, result, a.length, b.length);
		return result;
	}

}
