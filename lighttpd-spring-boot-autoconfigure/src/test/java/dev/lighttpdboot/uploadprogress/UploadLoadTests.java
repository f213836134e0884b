package dev.lighttpdboot.uploadprogress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 50 concurrent 20 MiB uploads with progress ids into a server whose heap is bounded (256 MiB, set by the
 * {@code upload-load} Surefire execution, which forks a JVM of its own): nothing buffers a whole upload, every
 * upload is counted to its last byte, progress polled meanwhile only grows, and the store is empty after the
 * retention.
 */
@SpringBootTest(classes = { TestApplication.class, UploadSinks.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "lighttpd.upload-progress.retention=2s")
class UploadLoadTests extends RealServerTests {

	/** Set by the Surefire execution that runs this class in a JVM with a bounded heap. */
	static final String PROPERTY = "uploadLoad";

	private static final int UPLOADS = 50;

	private static final int SIZE = 20 * 1024 * 1024;

	@Autowired
	InMemoryUploadProgressStore store;

	@Autowired
	MeterRegistry meters;

	@Test
	void fiftyConcurrentUploadsInABoundedHeap() throws Exception {
		Assumptions.assumeTrue(Boolean.getBoolean(PROPERTY), "runs in the upload-load execution only");
		assertThat(Runtime.getRuntime().maxMemory()).as("heap bound of the upload-load execution")
			.isLessThanOrEqualTo(256L * 1024 * 1024);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < UPLOADS; i++) {
			ids.add(UploadProgressIntegrationTests.newId());
		}
		ExecutorService senders = Executors.newFixedThreadPool(UPLOADS);
		try {
			List<Future<Integer>> statuses = new ArrayList<>();
			for (String id : ids) {
				statuses.add(senders.submit(() -> {
					try (SlowUpload upload = SlowUpload.connect(this.port)) {
						int status = upload.head("/upload-sink?X-Progress-ID=" + id, SIZE).body(SIZE).status();
						// The counter ends the upload as the response is written, before the client can read it.
						assertThat(this.store.progress(id))
							.isEqualTo(new UploadProgress(UploadState.DONE, SIZE, SIZE, 0));
						return status;
					}
				}));
			}
			JsonMapper json = JsonMapper.builder().build();
			long last = 0;
			String state = "starting";
			while (!state.equals("done")) {
				String body = this.client.get().uri("/progress?X-Progress-ID=" + ids.get(0)).exchange()
					.expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
				Map<?, ?> progress = json.readValue(body, Map.class);
				state = (String) progress.get("state");
				assertThat(state).isIn("starting", "uploading", "done");
				long received = (progress.get("received") instanceof Number n) ? n.longValue() : 0;
				assertThat(received).isGreaterThanOrEqualTo(last);
				last = received;
			}
			for (Future<Integer> status : statuses) {
				assertThat(status.get(120, TimeUnit.SECONDS)).isEqualTo(200);
			}
		}
		finally {
			senders.shutdownNow();
		}
		assertThat(this.meters.get("lighttpd.uploads.active").gauge().value()).isZero();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.store.size() == 0);
	}

}
