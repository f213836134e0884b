package dev.lighttpdboot.server.autoconfigure;

import java.util.List;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.server.ServerRefusals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Records {@code lighttpd.server.refused} (counter, tag {@code reason}). Every known reason is registered when
 * bound: refusals come in floods, on event-loop threads, and a dashboard wants each series from start-up.
 */
final class MicrometerServerRefusals extends OnceBoundMeters implements ServerRefusals {

	private static final List<String> REASONS = List.of(CONNECTION_LIMIT, HEADER_TIMEOUT, SEND_TIMEOUT, METHOD, HOST,
			VERSION, TRANSFER_ENCODING, MALFORMED, BODY_TIMEOUT, HTTP2_PROTOCOL);

	private final Cache<String, Counter> counters = new Cache<>((registry) -> (reason) -> Counter
		.builder("lighttpd.server.refused")
		.description("Connections and requests the server refused on its own, by reason")
		.tag("reason", reason)
		.register(registry));

	@Override
	protected void register(MeterRegistry registry) {
		REASONS.forEach(this.counters::get);
	}

	@Override
	public void refused(String reason) {
		Counter counter = this.counters.get(reason);
		if (counter != null) {
			counter.increment();
		}
	}

}
