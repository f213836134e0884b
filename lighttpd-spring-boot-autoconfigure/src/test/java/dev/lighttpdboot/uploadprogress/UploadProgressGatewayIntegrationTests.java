package dev.lighttpdboot.uploadprogress;

import java.io.IOException;
import java.time.Duration;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.JettyFastCgi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A slow upload through a gateway route (to Jetty's FastCGI server): the route spools the body as it arrives, so
 * progress rises with each piece the client sends; a body announced over the route's limit is error 413 at once.
 */
class UploadProgressGatewayIntegrationTests extends RealServerTests {

	@RegisterExtension
	static final JettyFastCgi jetty = JettyFastCgi.onFreePort();

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "app");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/app/");
		registry.add("lighttpd.gateway.routes[0].check-local", () -> "false");
		registry.add("lighttpd.gateway.routes[0].max-request-size", () -> "1MB");
		registry.add("lighttpd.gateway.routes[0].request-buffer-in-memory", () -> "64KB");
		registry.add("lighttpd.gateway.routes[0].backends[0].address",
				() -> "127.0.0.1:" + jetty.address().getPort());
	}

	@Autowired
	InMemoryUploadProgressStore store;

	@Test
	void aSlowUploadThroughARouteIsCountedAsItArrives() throws IOException {
		String id = UploadProgressIntegrationTests.newId();
		int piece = 100_000;
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/app/echo?X-Progress-ID=" + id, piece * 4L);
			for (int k = 1; k <= 3; k++) {
				upload.body(piece);
				long expected = (long) piece * k;
				await().atMost(Duration.ofSeconds(20)).until(() -> this.store.progress(id),
						(progress) -> progress.received() == expected && progress.state() == UploadState.UPLOADING);
			}
			upload.body(piece);
			assertThat(upload.status()).isEqualTo(200);
		}
		// untilAsserted: a timeout then says which progress it found, not only that it was not the one expected.
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(this.store.progress(id))
			.isEqualTo(new UploadProgress(UploadState.DONE, piece * 4L, piece * 4L, 0)));
	}

	@Test
	void aBodyAnnouncedOverTheRouteLimitIsError413() throws IOException {
		String id = UploadProgressIntegrationTests.newId();
		try (SlowUpload upload = SlowUpload.connect(this.port)) {
			upload.head("/app/echo?X-Progress-ID=" + id, 2_000_000);
			assertThat(upload.status()).isEqualTo(413);
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> this.store.progress(id)
			.equals(new UploadProgress(UploadState.ERROR, 0, 2_000_000, 413)));
	}

}
