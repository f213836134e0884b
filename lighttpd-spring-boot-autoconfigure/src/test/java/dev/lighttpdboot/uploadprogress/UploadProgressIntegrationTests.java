package dev.lighttpdboot.uploadprogress;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.uploadprogress.autoconfigure.UploadProgressProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Upload progress end to end on a real Reactor Netty server: raw-socket uploads paced by the test (each body piece
 * is sent only after the previous one was reported), polled through the endpoint.
 */
@SpringBootTest(classes = { TestApplication.class, UploadSinks.class, UploadProgressIntegrationTests.Clocked.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.upload-progress.retention=3s", "lighttpd.upload-progress.event-interval=20ms" })
class UploadProgressIntegrationTests extends RealServerTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	InMemoryUploadProgressStore store;

	@Autowired
	MeterRegistry meters;

	@Autowired
	AtomicLong clock;

	@Test
	void receivedRisesThroughTheStatesToDone() throws IOException {
		String id = newId();
		int piece = 100_000;
		int pieces = 5;
		List<Map<String, Object>> seen = new ArrayList<>();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?X-Progress-ID=" + id, (long) piece * pieces);
			assertThat(progress(id)).containsEntry("state", "starting");
			for (int k = 1; k <= pieces; k++) {
				upload.body(piece);
				long expected = (long) piece * k;
				seen.add(awaitProgress(id, (p) -> number(p, "received") == expected));
			}
			assertThat(upload.status()).isEqualTo(200);
		}
		Map<String, Object> done = awaitProgress(id, (p) -> "done".equals(p.get("state")));
		assertThat(done).containsEntry("received", piece * pieces).containsEntry("size", piece * pieces);
		for (int k = 0; k < pieces - 1; k++) {
			assertThat(seen.get(k)).containsEntry("state", "uploading").containsEntry("size", piece * pieces)
				.containsEntry("received", piece * (k + 1));
		}
		// The last piece may already be answered: uploading or done, with everything received.
		assertThat(seen.get(pieces - 1)).containsEntry("received", piece * pieces);
	}

	@Test
	void answersAreNeverCached() {
		this.client.get().uri("/progress?X-Progress-ID=" + newId()).exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("application/json")
			.expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
			.expectHeader().valueEquals(HttpHeaders.EXPIRES, "Thu, 01 Jan 1970 00:00:01 GMT")
			.expectBody(String.class).isEqualTo("{\"state\":\"starting\"}");
	}

	@Test
	void theQueryParameterIsFoundWithoutRegardToCaseAsTheCounterFindsIt() {
		String id = newId();
		this.store.start(id, 5);
		this.store.done(id, 5);
		this.client.get().uri("/progress?x-progress-id=" + id).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).isEqualTo("{\"state\":\"done\",\"received\":5,\"size\":5}");
	}

	@Test
	void aPollWhoseQueryDoesNotDecodeIsRefused() throws IOException {
		// A well-formed escape of bytes that are not UTF-8: the URI parser lets it through, the query decoder not.
		RawHttp.Response response = raw().exchange("GET", "/progress?callback=cb%C3%28", "X-Progress-ID: abc\r\n");
		assertThat(response.status()).isEqualTo(400);
		response.assertRevealsNothing("malformed query");
	}

	@Test
	void anUnknownIdIsStartingAsInNginx() {
		assertThat(progress("0123456789abcdef0123456789abcdef")).isEqualTo(Map.of("state", "starting"));
	}

	@Test
	void aMissingOrInvalidIdIsRefused() throws IOException {
		RawHttp.Response missing = raw().get("/progress");
		assertThat(missing.status()).isEqualTo(400);
		missing.assertRevealsNothing("no id");
		RawHttp.Response invalid = raw().get("/progress?X-Progress-ID=%3Cscript%3E");
		assertThat(invalid.status()).isEqualTo(400);
		invalid.assertRevealsNothing("invalid id");
		assertThat(raw().exchange("GET", "/progress", "X-Progress-ID: a b\r\n").status()).isEqualTo(400);
	}

	@Test
	void jsonpWrapsTheObjectInTheCallback() throws IOException {
		String id = newId();
		this.client.get().uri("/progress?X-Progress-ID=" + id + "&callback=jQuery3_1.cb").exchange()
			.expectStatus().isOk()
			.expectHeader().contentType("text/javascript;charset=UTF-8")
			.expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
			.expectBody(String.class).isEqualTo("jQuery3_1.cb({\"state\":\"starting\"});");
		RawHttp.Response script = raw().get("/progress?X-Progress-ID=" + id + "&callback=alert(1)//");
		assertThat(script.status()).isEqualTo(400);
		assertThat(script.bodyText()).doesNotContain("alert");
	}

	@Test
	void theIdMayComeInTheHeader() throws IOException {
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink", 1234, "X-Progress-ID: " + id).body(1234);
			assertThat(upload.status()).isEqualTo(200);
		}
		this.client.get().uri("/progress").header("X-Progress-ID", id).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).isEqualTo("{\"state\":\"done\",\"received\":1234,\"size\":1234}");
	}

	@Test
	void serverSentEventsFollowTheUploadAndEndWhenItIsDone() throws Exception {
		String id = newId();
		int piece = 50_000;
		List<String> events = new CopyOnWriteArrayList<>();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?X-Progress-ID=" + id, piece * 3L);
			HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			HttpResponse<Stream<String>> stream = http.send(
					HttpRequest.newBuilder(URI.create(base() + "/progress?X-Progress-ID=" + id))
						.header("Accept", "text/event-stream").build(),
					HttpResponse.BodyHandlers.ofLines());
			assertThat(stream.headers().firstValue("content-type")).hasValueSatisfying(
					(type) -> assertThat(type).startsWith("text/event-stream"));
			assertThat(stream.headers().firstValue("cache-control")).hasValue("no-cache");
			CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> stream.body()
				.filter((line) -> line.startsWith("data:"))
				.forEach((line) -> events.add(line.substring(5).trim())));
			for (int k = 1; k <= 3; k++) {
				upload.body(piece);
				String expected = "\"received\":" + (piece * k);
				await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch((e) -> e.contains(expected)));
			}
			assertThat(upload.status()).isEqualTo(200);
			ended.get(20, TimeUnit.SECONDS);
		}
		assertThat(events.get(0)).isEqualTo("{\"state\":\"starting\"}");
		assertThat(events.get(events.size() - 1))
			.isEqualTo("{\"state\":\"done\",\"received\":150000,\"size\":150000}");
		long last = -1;
		for (String event : events) {
			long received = number(json.readValue(event, Map.class), "received");
			assertThat(received).isGreaterThanOrEqualTo(last);
			last = received;
		}
	}

	@Test
	void aClientThatGoesAwayIsAnError() throws IOException {
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?X-Progress-ID=" + id, 1_000_000).body(100_000);
			awaitProgress(id, (p) -> number(p, "received") == 100_000);
		}
		Map<String, Object> error = awaitProgress(id, (p) -> "error".equals(p.get("state")));
		assertThat(error).containsEntry("status", 499).containsEntry("received", 100_000)
			.containsEntry("size", 1_000_000);
	}

	@Test
	void aBodyOverTheLimitIsError413() throws IOException {
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?limit=200000&X-Progress-ID=" + id, 500_000).body(300_000);
			assertThat(upload.status()).isEqualTo(413);
		}
		assertThat(awaitProgress(id, (p) -> "error".equals(p.get("state")))).containsEntry("status", 413)
			.containsEntry("size", 500_000);
	}

	@Test
	void aHandlerFailureIsAnErrorWithItsStatus() throws IOException {
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-fail?X-Progress-ID=" + id, 10_000).body(10_000);
			assertThat(upload.status()).isEqualTo(503);
		}
		assertThat(awaitProgress(id, (p) -> "error".equals(p.get("state")))).containsEntry("status", 503)
			.containsEntry("received", 10_000);
	}

	@Test
	void twoUploadsOnOneKeepAliveConnectionAreCountedApart() throws IOException {
		String first = newId();
		String second = newId();
		try (SlowUpload connection = SlowUpload.connect(this.port)) {
			connection.head("/upload-sink?X-Progress-ID=" + first, 100_000).body(100_000);
			assertThat(connection.status()).isEqualTo(200);
			connection.head("/upload-sink?X-Progress-ID=" + second, 50_000).body(20_000);
			assertThat(awaitProgress(second, (p) -> number(p, "received") == 20_000))
				.containsEntry("state", "uploading").containsEntry("size", 50_000);
			connection.body(30_000);
			assertThat(connection.status()).isEqualTo(200);
		}
		assertThat(awaitProgress(first, (p) -> "done".equals(p.get("state")))).containsEntry("received", 100_000)
			.containsEntry("size", 100_000);
		assertThat(awaitProgress(second, (p) -> "done".equals(p.get("state")))).containsEntry("received", 50_000)
			.containsEntry("size", 50_000);
	}

	@Test
	void aChunkedUploadHasSizeZeroUntilItIsDone() throws IOException {
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.chunkedHead("/upload-sink?X-Progress-ID=" + id).chunk(10_000);
			assertThat(awaitProgress(id, (p) -> number(p, "received") == 10_000)).containsEntry("size", 0);
			upload.chunk(5_000).chunk(0);
			assertThat(upload.status()).isEqualTo(200);
		}
		assertThat(awaitProgress(id, (p) -> "done".equals(p.get("state")))).containsEntry("received", 15_000)
			.containsEntry("size", 15_000);
	}

	@Test
	void finishedUploadsAreForgottenAfterTheRetention() throws IOException {
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?X-Progress-ID=" + id, 100).body(100);
			assertThat(upload.status()).isEqualTo(200);
		}
		awaitProgress(id, (p) -> "done".equals(p.get("state")));
		// The store's clock, not the wall clock: the retention (3 s) passes when the test says so.
		this.clock.addAndGet(Duration.ofSeconds(3).toNanos() - 1);
		assertThat(progress(id)).containsEntry("state", "done");
		this.clock.addAndGet(1);
		assertThat(progress(id)).isEqualTo(Map.of("state", "starting"));
		assertThat(this.store.known(id)).isNull();
	}

	@Test
	void theGetOfTheEndpointRegistersNothing() {
		String id = newId();
		int before = this.store.size();
		progress(id);
		assertThat(this.store.size()).isEqualTo(before);
		assertThat(this.store.progress(id)).isEqualTo(UploadProgress.STARTING);
	}

	@Test
	void metricsCountBytesAndOutcomes() throws IOException {
		double bytesBefore = counter("lighttpd.uploads.bytes", null);
		double doneBefore = counter("lighttpd.uploads.requests", "done");
		String id = newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?X-Progress-ID=" + id, 123_456).body(123_456);
			assertThat(upload.status()).isEqualTo(200);
		}
		awaitProgress(id, (p) -> "done".equals(p.get("state")));
		assertThat(counter("lighttpd.uploads.bytes", null) - bytesBefore).isEqualTo(123_456);
		assertThat(counter("lighttpd.uploads.requests", "done") - doneBefore).isEqualTo(1);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.meters.get("lighttpd.uploads.active").gauge().value() == 0);
		// An upload without an id is not counted.
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink", 1000).body(1000);
			assertThat(upload.status()).isEqualTo(200);
		}
		assertThat(counter("lighttpd.uploads.bytes", null) - bytesBefore).isEqualTo(123_456);
	}

	private double counter(String name, String outcome) {
		var search = this.meters.find(name);
		if (outcome != null) {
			search = search.tag("outcome", outcome);
		}
		var counter = search.counter();
		return (counter != null) ? counter.count() : 0;
	}

	static String newId() {
		byte[] bytes = new byte[16];
		ThreadLocalRandom.current().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> progress(String id) {
		String body = this.client.get().uri("/progress?X-Progress-ID=" + id).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		return json.readValue(body, Map.class);
	}

	private Map<String, Object> awaitProgress(String id, Predicate<Map<String, Object>> condition) {
		return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
			.until(() -> progress(id), condition);
	}

	private static long number(Map<?, ?> progress, String name) {
		Object value = progress.get(name);
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	/**
	 * The memory store of the auto-configuration, on a clock that the tests move.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class Clocked {

		@Bean
		AtomicLong uploadProgressClock() {
			return new AtomicLong();
		}

		@Bean
		InMemoryUploadProgressStore uploadProgressStore(UploadProgressProperties properties, AtomicLong clock) {
			return new InMemoryUploadProgressStore(properties.getRetention(), properties.getMaxEntries(), clock::get,
					false);
		}

	}

}
