package dev.lighttpdboot.sample;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.awaitility.Awaitility.await;

/**
 * The upload controller streams a multipart upload to disk, and the progress endpoint reports it as done.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UploadControllerTests {

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		DemoProperties.register(registry);
	}

	@LocalServerPort
	int port;

	@Test
	void aMultipartUploadIsStreamedToDiskAndReportedDone() {
		WebTestClient client = WebTestClient
			.bindToServer(new JdkClientHttpConnector(java.net.http.HttpClient.newBuilder()
				.version(java.net.http.HttpClient.Version.HTTP_1_1).build()))
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		byte[] content = new byte[5 * 1024 * 1024 + 7];
		new Random(7).nextBytes(content);
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("comment", "a form field");
		body.part("file", new ByteArrayResource(content)).filename("big.bin");
		body.part("second", new ByteArrayResource(new byte[10])).filename("small.bin");
		String id = "0123456789abcdef0123456789abcdef";
		client.post().uri("/upload?X-Progress-ID=" + id).body(BodyInserters.fromMultipartData(body.build()))
			.exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.files[0].name").isEqualTo("big.bin")
			.jsonPath("$.files[0].bytes").isEqualTo(content.length)
			.jsonPath("$.files[1].bytes").isEqualTo(10);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> client.get()
			.uri("/progress?X-Progress-ID=" + id)
			.exchange()
			.expectBody()
			.jsonPath("$.state").isEqualTo("done")
			.jsonPath("$.received").value((received) -> org.assertj.core.api.Assertions
				.assertThat(((Number) received).longValue()).isGreaterThan(content.length)));
	}

}
