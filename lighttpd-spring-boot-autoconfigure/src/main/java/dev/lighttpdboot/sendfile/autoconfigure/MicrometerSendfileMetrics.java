package dev.lighttpdboot.sendfile.autoconfigure;

import java.util.Locale;

import dev.lighttpdboot.sendfile.SendfileMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Records {@code lighttpd.sendfile.requests} (counter, tags {@code header} and {@code outcome}) and
 * {@code lighttpd.sendfile.bytes} (summary of Content-Length sent, tag {@code header}).
 */
final class MicrometerSendfileMetrics implements SendfileMetrics {

	private final ObjectProvider<MeterRegistry> registry;

	MicrometerSendfileMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void handled(String header, String outcome, long bytes) {
		MeterRegistry meters = this.registry.getIfAvailable();
		if (meters == null) {
			return;
		}
		String headerTag = header.toLowerCase(Locale.ROOT);
		Counter.builder("lighttpd.sendfile.requests").description("Responses answered from a sendfile header")
			.tag("header", headerTag).tag("outcome", outcome).register(meters).increment();
		if (bytes > 0) {
			DistributionSummary.builder("lighttpd.sendfile.bytes").description("Content-Length of sendfile responses")
				.baseUnit("bytes").tag("header", headerTag).register(meters).record(bytes);
		}
	}

}
