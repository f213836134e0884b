package dev.lighttpdboot.server.autoconfigure;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.lighttpdboot.server.ServerRefusals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Records {@code lighttpd.server.refused} (counter, tag {@code reason}). Each counter is registered once and kept:
 * refusals come in floods, on event-loop threads.
 */
final class MicrometerServerRefusals implements ServerRefusals {

	private final ObjectProvider<MeterRegistry> registry;

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	MicrometerServerRefusals(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void refused(String reason) {
		Counter counter = this.counters.get(reason);
		if (counter == null) {
			MeterRegistry meters = this.registry.getIfAvailable();
			if (meters == null) {
				return;
			}
			counter = this.counters.computeIfAbsent(reason, (tag) -> Counter.builder("lighttpd.server.refused")
				.description("Connections and requests the server refused on its own, by reason")
				.tag("reason", tag)
				.register(meters));
		}
		counter.increment();
	}

}
