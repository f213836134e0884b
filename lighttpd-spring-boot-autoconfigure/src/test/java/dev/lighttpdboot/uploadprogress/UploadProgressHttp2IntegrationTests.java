package dev.lighttpdboot.uploadprogress;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With HTTP/2 enabled (h2c), each stream has a pipeline of its own: uploads on concurrent streams of one
 * connection are counted apart, and HTTP/1.1 clients of the same server are still counted.
 */
@SpringBootTest(classes = { TestApplication.class, UploadSinks.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.http2.enabled=true")
class UploadProgressHttp2IntegrationTests extends RealServerTests {

	@Autowired
	InMemoryUploadProgressStore store;

	@Test
	void concurrentStreamsOfOneConnectionAreCountedApart() throws Exception {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
		// The upgrade to h2c happens on a request without a body; later requests are streams of that connection.
		HttpResponse<String> upgrade = http.send(HttpRequest.newBuilder(URI.create(base() + "/progress?X-Progress-ID=x"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(upgrade.version()).isEqualTo(HttpClient.Version.HTTP_2);
		String first = UploadProgressIntegrationTests.newId();
		String second = UploadProgressIntegrationTests.newId();
		CompletableFuture<HttpResponse<String>> one = http.sendAsync(upload(first, 300_000),
				HttpResponse.BodyHandlers.ofString());
		CompletableFuture<HttpResponse<String>> two = http.sendAsync(upload(second, 200_000),
				HttpResponse.BodyHandlers.ofString());
		assertThat(one.get().version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(one.get().statusCode()).isEqualTo(200);
		assertThat(two.get().statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(this.store.progress(first)).isEqualTo(new UploadProgress(UploadState.DONE, 300_000, 300_000, 0));
			assertThat(this.store.progress(second)).isEqualTo(new UploadProgress(UploadState.DONE, 200_000, 200_000, 0));
		});
	}

	@Test
	void http11ClientsAreStillCounted() throws IOException {
		String id = UploadProgressIntegrationTests.newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/upload-sink?X-Progress-ID=" + id, 20_000).body(20_000);
			assertThat(upload.status()).isEqualTo(200);
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> this.store.progress(id)
			.equals(new UploadProgress(UploadState.DONE, 20_000, 20_000, 0)));
	}

	private HttpRequest upload(String id, int size) {
		return HttpRequest.newBuilder(URI.create(base() + "/upload-sink?X-Progress-ID=" + id))
			.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))
			.build();
	}

}
