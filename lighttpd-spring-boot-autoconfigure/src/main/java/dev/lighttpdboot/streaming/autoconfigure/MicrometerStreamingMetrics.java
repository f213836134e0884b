package dev.lighttpdboot.streaming.autoconfigure;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.streaming.StreamingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Records seeks as {@code lighttpd.streaming.seeks} (counter) and {@code lighttpd.streaming.bytes} (summary of
 * body lengths), both tagged with {@code format}, each meter created on the first use of its format and kept.
 */
final class MicrometerStreamingMetrics extends OnceBoundMeters implements StreamingMetrics {

	private final Cache<String, Counter> seeks = new Cache<>((registry) -> (format) -> Counter
		.builder("lighttpd.streaming.seeks")
		.description("Pseudo-streaming seeks answered")
		.tag("format", format)
		.register(registry));

	private final Cache<String, DistributionSummary> bytes = new Cache<>((registry) -> (format) -> DistributionSummary
		.builder("lighttpd.streaming.bytes")
		.description("Body bytes of seek responses")
		.baseUnit("bytes")
		.tag("format", format)
		.register(registry));

	@Override
	protected void register(MeterRegistry registry) {
		// Formats are met as they come.
	}

	@Override
	public void seek(String format, long bytes) {
		Counter seeks = this.seeks.get(format);
		DistributionSummary summary = this.bytes.get(format);
		if (seeks != null && summary != null) {
			seeks.increment();
			summary.record(bytes);
		}
	}

}
