package dev.lighttpdboot.uploadprogress;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryUploadProgressStoreTests {

	private final AtomicLong now = new AtomicLong();

	private InMemoryUploadProgressStore store(int maxEntries) {
		return new InMemoryUploadProgressStore(Duration.ofSeconds(60), maxEntries, this.now::get, false);
	}

	@Test
	void anUploadGoesFromStartingToUploadingToDone() {
		InMemoryUploadProgressStore store = store(10);
		assertThat(store.progress("a")).isEqualTo(UploadProgress.STARTING);
		store.start("a", 100);
		assertThat(store.progress("a")).isEqualTo(new UploadProgress(UploadState.STARTING, 0, 100, 0));
		store.update("a", 40);
		assertThat(store.progress("a")).isEqualTo(new UploadProgress(UploadState.UPLOADING, 40, 100, 0));
		store.done("a", 100);
		assertThat(store.progress("a")).isEqualTo(new UploadProgress(UploadState.DONE, 100, 100, 0));
		// A late write from the connection changes nothing once finished.
		store.update("a", 120);
		store.failed("a", 120, 499);
		assertThat(store.progress("a").state()).isEqualTo(UploadState.DONE);
	}

	@Test
	void updatesForUnknownIdsCreateNothing() {
		InMemoryUploadProgressStore store = store(10);
		store.update("ghost", 10);
		store.done("ghost", 10);
		assertThat(store.size()).isZero();
	}

	@Test
	void finishedEntriesExpireAfterTheRetentionOnly() {
		InMemoryUploadProgressStore store = store(10);
		store.start("a", 10);
		store.start("b", 10);
		store.done("a", 10);
		this.now.set(Duration.ofSeconds(59).toNanos());
		assertThat(store.size()).isEqualTo(2);
		this.now.set(Duration.ofSeconds(60).toNanos());
		assertThat(store.progress("a")).isEqualTo(UploadProgress.STARTING);
		// Still uploading: never expires.
		assertThat(store.progress("b").size()).isEqualTo(10);
		assertThat(store.size()).isEqualTo(1);
	}

	@Test
	void aReusedIdIsNotRemovedByTheExpiryOfItsPredecessor() {
		InMemoryUploadProgressStore store = store(10);
		store.start("a", 10);
		store.done("a", 10);
		store.start("a", 20);
		this.now.set(Duration.ofSeconds(61).toNanos());
		assertThat(store.progress("a").size()).isEqualTo(20);
	}

	@Test
	void theCapEvictsTheUploadThatFinishedFirst() {
		InMemoryUploadProgressStore store = store(3);
		store.start("a", 1);
		store.start("b", 1);
		store.start("c", 1);
		store.done("b", 1);
		store.failed("a", 0, 413);
		store.start("d", 1);
		assertThat(store.size()).isEqualTo(3);
		assertThat(store.progress("b")).isEqualTo(UploadProgress.STARTING);
		assertThat(store.progress("a").state()).isEqualTo(UploadState.ERROR);
		store.start("e", 1);
		assertThat(store.progress("a")).isEqualTo(UploadProgress.STARTING);
		// Everything is uploading now: a further upload is not tracked rather than growing the store.
		store.start("f", 1);
		assertThat(store.size()).isEqualTo(3);
		assertThat(store.progress("f")).isEqualTo(UploadProgress.STARTING);
		store.update("f", 1);
		assertThat(store.progress("f")).isEqualTo(UploadProgress.STARTING);
	}

	@Test
	void jsonIsTheFormatOfLighttpdAndNginx() {
		assertThat(UploadProgress.STARTING.toJson()).isEqualTo("{\"state\":\"starting\"}");
		assertThat(new UploadProgress(UploadState.UPLOADING, 3, 10, 0).toJson())
			.isEqualTo("{\"state\":\"uploading\",\"received\":3,\"size\":10}");
		assertThat(new UploadProgress(UploadState.UPLOADING, 3, -1, 0).toJson())
			.isEqualTo("{\"state\":\"uploading\",\"received\":3,\"size\":0}");
		assertThat(new UploadProgress(UploadState.DONE, 7, -1, 0).toJson())
			.isEqualTo("{\"state\":\"done\",\"received\":7,\"size\":7}");
		assertThat(new UploadProgress(UploadState.ERROR, 7, 100, 413).toJson())
			.isEqualTo("{\"state\":\"error\",\"status\":413,\"received\":7,\"size\":100}");
	}

	@Test
	void idsComeFromTheHeaderFirstThenTheQuery() {
		assertThat(ProgressIds.find("abc", "/u?X-Progress-ID=def")).isEqualTo("abc");
		assertThat(ProgressIds.find(null, "/u?a=1&X-Progress-ID=def&b=2")).isEqualTo("def");
		assertThat(ProgressIds.find(null, "/u?x-progress-id=def")).isEqualTo("def");
		assertThat(ProgressIds.find(null, "/u/X-Progress-ID")).isNull();
		assertThat(ProgressIds.find(null, "/u?X-Progress-ID=")).isNull();
		assertThat(ProgressIds.find("a\"b", "/u")).isNull();
		assertThat(ProgressIds.find(null, "/u?X-Progress-ID=" + "a".repeat(129))).isNull();
		assertThat(ProgressIds.valid("0123456789abcdef0123456789ABCDEF")).isTrue();
		assertThat(ProgressIds.valid("550e8400-e29b-41d4-a716-446655440000")).isTrue();
	}

}
