package dev.lighttpdboot.actuate;

import java.time.Duration;
import java.util.Map;

import dev.lighttpdboot.uploadprogress.InMemoryUploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgress;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import dev.lighttpdboot.uploadprogress.UploadProgressStoreStatus;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

class UploadProgressStoreHealthIndicatorTests {

	@Test
	void anUnreachableSharedStoreIsShownButKeepsTheNodeUp() {
		Health health = new UploadProgressStoreHealthIndicator(new Unreachable()).health()
			.block(Duration.ofSeconds(5));
		// DOWN would make a load balancer drop every node at once, while uploads still work on each.
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("degraded", true).containsEntry("redis", "unavailable");
	}

	@Test
	void theInMemoryStoreShowsItsEntries() {
		try (InMemoryUploadProgressStore store = new InMemoryUploadProgressStore(Duration.ofMinutes(1), 10)) {
			store.start("a", 10);
			Health health = new UploadProgressStoreHealthIndicator(store).health().block(Duration.ofSeconds(5));
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("store", "memory").containsEntry("entries", 1)
				.doesNotContainKey("degraded");
		}
	}

	private static final class Unreachable implements UploadProgressStore {

		@Override
		public void start(String id, long size) {
		}

		@Override
		public void update(String id, long received) {
		}

		@Override
		public void done(String id, long received) {
		}

		@Override
		public void failed(String id, long received, int status) {
		}

		@Override
		public Mono<UploadProgress> find(String id) {
			return Mono.just(UploadProgress.UNAVAILABLE);
		}

		@Override
		public Mono<UploadProgressStoreStatus> status() {
			return Mono.just(new UploadProgressStoreStatus(false, Map.of("store", "redis", "redis", "unavailable")));
		}

	}

}
