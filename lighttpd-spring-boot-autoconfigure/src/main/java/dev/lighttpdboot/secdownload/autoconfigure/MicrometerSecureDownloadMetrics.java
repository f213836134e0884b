package dev.lighttpdboot.secdownload.autoconfigure;

import java.util.EnumMap;
import java.util.Map;

import dev.lighttpdboot.secdownload.SecureDownloadMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts requests under the secure-download uri-prefix in {@code lighttpd.secdownload.requests}, tagged with
 * their {@code outcome}. Every outcome is registered up front, so each series exists (at 0) from start-up and
 * recording is a plain increment.
 */
final class MicrometerSecureDownloadMetrics implements SecureDownloadMetrics {

	static final String REQUESTS = "lighttpd.secdownload.requests";

	private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

	MicrometerSecureDownloadMetrics(MeterRegistry registry) {
		for (Outcome outcome : Outcome.values()) {
			this.counters.put(outcome, Counter.builder(REQUESTS)
				.description("Requests under lighttpd.secdownload.uri-prefix, by outcome")
				.tag("outcome", outcome.tag())
				.register(registry));
		}
	}

	@Override
	public void record(Outcome outcome) {
		this.counters.get(outcome).increment();
	}

}
