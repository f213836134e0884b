package dev.lighttpdboot.actuate;

import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * The state of the upload-progress store, from what the store already knows (no command is sent for the health
 * check). A shared store that cannot be reached is UP with {@code degraded: true}: uploads go on and each node
 * still answers for its own, so a load balancer in front must keep sending traffic.
 */
public final class UploadProgressStoreHealthIndicator implements ReactiveHealthIndicator {

	private final UploadProgressStore store;

	public UploadProgressStoreHealthIndicator(UploadProgressStore store) {
		this.store = store;
	}

	@Override
	public Mono<Health> health() {
		return this.store.status().map((status) -> {
			Health.Builder health = Health.up().withDetails(status.details());
			if (!status.available()) {
				health.withDetail("degraded", true);
			}
			return health.build();
		});
	}

}
