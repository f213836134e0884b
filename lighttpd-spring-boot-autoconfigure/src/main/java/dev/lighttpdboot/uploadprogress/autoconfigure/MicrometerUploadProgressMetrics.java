package dev.lighttpdboot.uploadprogress.autoconfigure;

import java.util.concurrent.atomic.AtomicInteger;

import dev.lighttpdboot.uploadprogress.UploadProgressMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Records {@code lighttpd.uploads.active} (gauge of tracked uploads in progress on this node),
 * {@code lighttpd.uploads.bytes} (counter of their body bytes) and {@code lighttpd.uploads.requests} (counter of
 * tracked uploads, tag {@code outcome}: done, too-large, failed, aborted).
 */
final class MicrometerUploadProgressMetrics implements UploadProgressMetrics {

	private final ObjectProvider<MeterRegistry> registry;

	private final AtomicInteger active = new AtomicInteger();

	// Looked up once: received() runs for every body chunk on the event loop.
	private volatile Counter bytes;

	private volatile boolean gaugeRegistered;

	MicrometerUploadProgressMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void started() {
		this.active.incrementAndGet();
		if (!this.gaugeRegistered) {
			MeterRegistry meters = this.registry.getIfAvailable();
			if (meters != null) {
				Gauge.builder("lighttpd.uploads.active", this.active, AtomicInteger::get)
					.description("Uploads with a progress id being received").register(meters);
				this.gaugeRegistered = true;
			}
		}
	}

	@Override
	public void received(long count) {
		Counter counter = this.bytes;
		if (counter == null) {
			MeterRegistry meters = this.registry.getIfAvailable();
			if (meters == null) {
				return;
			}
			counter = Counter.builder("lighttpd.uploads.bytes").description("Body bytes of uploads with a progress id")
				.baseUnit("bytes").register(meters);
			this.bytes = counter;
		}
		counter.increment(count);
	}

	@Override
	public void finished(String outcome) {
		this.active.decrementAndGet();
		MeterRegistry meters = this.registry.getIfAvailable();
		if (meters != null) {
			Counter.builder("lighttpd.uploads.requests").description("Uploads with a progress id, by outcome")
				.tag("outcome", outcome).register(meters).increment();
		}
	}

}
