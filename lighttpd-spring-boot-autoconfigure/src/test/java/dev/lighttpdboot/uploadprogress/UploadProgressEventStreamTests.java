package dev.lighttpdboot.uploadprogress;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The event stream of {@link UploadProgressEndpoint} on virtual time.
 */
class UploadProgressEventStreamTests {

	private final InMemoryUploadProgressStore store = new InMemoryUploadProgressStore(Duration.ofMinutes(1), 100,
			System::nanoTime, false);

	private final UploadProgressEndpoint endpoint = new UploadProgressEndpoint("/progress", this.store,
			Duration.ofMillis(500), Duration.ofSeconds(30));

	@Test
	void aStreamForAnIdNobodyUploadsWithEndsAfterTheIdleTimeout() {
		StepVerifier.withVirtualTime(() -> this.endpoint.events("nobody"))
			.expectNext(UploadProgress.STARTING)
			.expectNoEvent(Duration.ofSeconds(29))
			.thenAwait(Duration.ofSeconds(1))
			.verifyComplete();
	}

	@Test
	void everyChangeRestartsTheIdleTimeoutAndTheStreamEndsWithTheUpload() {
		this.store.start("abc", 10);
		StepVerifier.withVirtualTime(() -> this.endpoint.events("abc"))
			.expectNext(new UploadProgress(UploadState.STARTING, 0, 10, 0))
			.thenAwait(Duration.ofSeconds(20))
			.then(() -> this.store.update("abc", 4))
			.thenAwait(Duration.ofMillis(500))
			.expectNext(new UploadProgress(UploadState.UPLOADING, 4, 10, 0))
			.thenAwait(Duration.ofSeconds(20))
			.then(() -> this.store.done("abc", 10))
			.thenAwait(Duration.ofMillis(500))
			.expectNext(new UploadProgress(UploadState.DONE, 10, 10, 0))
			.verifyComplete();
	}

}
