package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;
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
			.bindToServer(new JdkClientHttpConnector(HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1).build()))
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
			.jsonPath("$.received").value((received) -> Assertions
				.assertThat(((Number) received).longValue()).isGreaterThan(content.length)));
	}


	@Test
	void aClientThatGoesAwayMidUploadIsNoServerError() throws IOException {
		// WebFlux logs a 500 with its stack trace for an error it cannot tell from a failure of ours.
		Logger adapter = (Logger) LoggerFactory.getLogger("org.springframework.web.server.adapter.HttpWebHandlerAdapter");
		ListAppender<ILoggingEvent> logged = new ListAppender<>();
		logged.start();
		adapter.addAppender(logged);
		try {
			for (int i = 0; i < 5; i++) {
				String id = "abab" + i + "0123456789abcdef0123456789a";
				abortUpload(id);
				WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).build();
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> client.get()
					.uri("/progress?X-Progress-ID=" + id)
					.exchange()
					.expectBody()
					.jsonPath("$.state").isEqualTo("error"));
			}
			assertThat(logged.list).noneMatch((event) -> event.getLevel().isGreaterOrEqual(Level.ERROR));
		}
		finally {
			adapter.detachAppender(logged);
		}
	}

	/** Send the head and the first megabyte of a 16 MiB multipart upload, then close the connection. */
	private void abortUpload(String id) throws IOException {
		String boundary = "demo-boundary";
		String partHead = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n";
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("POST /upload?X-Progress-ID=" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
					+ "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"
					+ "Content-Length: " + (16 * 1024 * 1024) + "\r\n\r\n" + partHead)
				.getBytes(StandardCharsets.US_ASCII));
			out.write(new byte[1024 * 1024]);
			out.flush();
		}
	}

}
