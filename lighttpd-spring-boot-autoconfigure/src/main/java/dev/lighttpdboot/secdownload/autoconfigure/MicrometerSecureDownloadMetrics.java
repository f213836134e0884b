package dev.lighttpdboot.secdownload.autoconfigure;

import java.util.EnumMap;
import java.util.Map;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.secdownload.SecureDownloadMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Counts requests under the secure-download uri-prefix in {@code lighttpd.secdownload.requests}, tagged with
 * their {@code outcome}. Every outcome is registered when bound, so each series exists (at 0) from start-up and
 * recording is a plain increment.
 */
final class MicrometerSecureDownloadMetrics extends OnceBoundMeters implements SecureDownloadMetrics {

	static final String REQUESTS = "lighttpd.secdownload.requests";

	private volatile @Nullable Map<Outcome, Counter> counters;

	@Override
	protected void register(MeterRegistry registry) {
		Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
		for (Outcome outcome : Outcome.values()) {
			counters.put(outcome, Counter.builder(REQUESTS)
				.description("Requests under lighttpd.secdownload.uri-prefix, by outcome")
				.tag("outcome", outcome.tag())
				.register(registry));
		}
		this.counters = counters;
	}

	@Override
	public void record(Outcome outcome) {
		Map<Outcome, Counter> counters = this.counters;
		if (counters != null) {
			Counter counter = counters.get(outcome);
		if (counter != null) {
			counter.increment();
		}
		}
	}

}
