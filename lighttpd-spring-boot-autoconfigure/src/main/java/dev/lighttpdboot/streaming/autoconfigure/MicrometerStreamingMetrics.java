package dev.lighttpdboot.streaming.autoconfigure;

import dev.lighttpdboot.streaming.StreamingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Records seeks as {@code lighttpd.streaming.seeks} (counter) and {@code lighttpd.streaming.bytes} (summary of
 * body lengths), both tagged with {@code format}. Without a {@link MeterRegistry} it records nothing.
 */
final class MicrometerStreamingMetrics implements StreamingMetrics {

	private final ObjectProvider<MeterRegistry> registry;

	MicrometerStreamingMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void seek(String format, long bytes) {
		MeterRegistry meters = this.registry.getIfAvailable();
		if (meters == null) {
			return;
		}
		Counter.builder("lighttpd.streaming.seeks").description("Pseudo-streaming seeks answered")
			.tag("format", format).register(meters).increment();
		DistributionSummary.builder("lighttpd.streaming.bytes").description("Body bytes of seek responses")
			.baseUnit("bytes").tag("format", format).register(meters).record(bytes);
	}

}
