package dev.lighttpdboot.uploadprogress.autoconfigure;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.uploadprogress.UploadProgressMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Records {@code lighttpd.uploads.active} (gauge of tracked uploads in progress on this node),
 * {@code lighttpd.uploads.bytes} (counter of their body bytes) and {@code lighttpd.uploads.requests} (counter of
 * tracked uploads, tag {@code outcome}: done, too-large, failed, aborted). Every meter exists from binding on; a
 * chunk costs one increment.
 */
final class MicrometerUploadProgressMetrics extends OnceBoundMeters implements UploadProgressMetrics {

	private static final List<String> OUTCOMES = List.of("done", "too-large", "failed", "aborted");

	private final AtomicInteger active = new AtomicInteger();

	private final Cache<String, Counter> requests = new Cache<>((registry) -> (outcome) -> Counter
		.builder("lighttpd.uploads.requests")
		.description("Uploads with a progress id, by outcome")
		.tag("outcome", outcome)
		.register(registry));

	private volatile @Nullable Counter bytes;

	@Override
	protected void register(MeterRegistry registry) {
		Gauge.builder("lighttpd.uploads.active", this.active, AtomicInteger::get)
			.description("Uploads with a progress id being received")
			.register(registry);
		this.bytes = Counter.builder("lighttpd.uploads.bytes")
			.description("Body bytes of uploads with a progress id")
			.baseUnit("bytes")
			.register(registry);
		OUTCOMES.forEach(this.requests::get);
	}

	@Override
	public void started() {
		this.active.incrementAndGet();
	}

	@Override
	public void received(long count) {
		Counter bytes = this.bytes;
		if (bytes != null) {
			bytes.increment(count);
		}
	}

	@Override
	public void finished(String outcome) {
		this.active.decrementAndGet();
		Counter counter = this.requests.get(outcome);
		if (counter != null) {
			counter.increment();
		}
	}

}
