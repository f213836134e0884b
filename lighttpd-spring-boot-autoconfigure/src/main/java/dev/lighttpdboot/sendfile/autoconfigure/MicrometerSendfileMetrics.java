package dev.lighttpdboot.sendfile.autoconfigure;

import java.util.Locale;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.sendfile.SendfileMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Records {@code lighttpd.sendfile.requests} (counter, tags {@code header} and {@code outcome}) and
 * {@code lighttpd.sendfile.bytes} (summary of Content-Length sent, tag {@code header}), each meter created on the
 * first use of its tags and kept.
 */
final class MicrometerSendfileMetrics extends OnceBoundMeters implements SendfileMetrics {

	private final Cache<Requests, Counter> requests = new Cache<>((registry) -> (tags) -> Counter
		.builder("lighttpd.sendfile.requests")
		.description("Responses answered from a sendfile header")
		.tag("header", tags.header())
		.tag("outcome", tags.outcome())
		.register(registry));

	private final Cache<String, DistributionSummary> bytes = new Cache<>((registry) -> (header) -> DistributionSummary
		.builder("lighttpd.sendfile.bytes")
		.description("Content-Length of sendfile responses")
		.baseUnit("bytes")
		.tag("header", header)
		.register(registry));

	@Override
	protected void register(MeterRegistry registry) {
		// Headers and outcomes are met as they come: the headers are configurable.
	}

	@Override
	public void handled(String header, String outcome, long bytes) {
		// The configured header names are few, so their lower-case forms are too.
		String headerTag = header.toLowerCase(Locale.ROOT);
		Counter counter = this.requests.get(new Requests(headerTag, outcome));
		if (counter != null) {
			counter.increment();
		}
		if (bytes > 0) {
			DistributionSummary summary = this.bytes.get(headerTag);
			if (summary != null) {
				summary.record(bytes);
			}
		}
	}

	private record Requests(String header, String outcome) {
	}

}
