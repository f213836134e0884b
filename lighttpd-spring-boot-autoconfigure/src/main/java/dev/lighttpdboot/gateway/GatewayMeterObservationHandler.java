package dev.lighttpdboot.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;

/**
 * Records the meters of backend-call observations ({@link GatewayObservationContext}) as Micrometer's
 * {@link DefaultMeterObservationHandler} records those of any observation: a timer named after the observation, tagged
 * with its low cardinality keys and {@code error}, and a long task timer named {@code <name>.active} while it runs.
 * <p>
 * The one difference is the cost: every call of a pool is observed, and the default handler looks its meters up in
 * the registry twice per call, making their tags anew each time. This handler looks each meter up once per
 * combination of tags and keeps it. The combinations come from the configuration (pools and their backends) and a
 * fixed set of outcomes and errors; past {@value #MAX_KEPT} of them, meters are looked up each time.
 */
public class GatewayMeterObservationHandler implements MeterObservationHandler<GatewayObservationContext> {

	/** How many meters of each kind are kept at most. */
	static final int MAX_KEPT = 4096;

	private final MeterRegistry registry;

	private final boolean longTaskTimer;

	private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

	private final Map<ActiveKey, LongTaskTimer> active = new ConcurrentHashMap<>();

	/**
	 * Create a handler that records into a registry.
	 * @param registry the registry
	 * @param longTaskTimer whether to record the {@code <name>.active} long task timer (Spring Boot's
	 * {@code management.metrics.observations.ignored-meters=long-task-timer} turns it off)
	 */
	public GatewayMeterObservationHandler(MeterRegistry registry, boolean longTaskTimer) {
		this.registry = registry;
		this.longTaskTimer = longTaskTimer;
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof GatewayObservationContext;
	}

	@Override
	public void onStart(GatewayObservationContext context) {
		if (this.longTaskTimer) {
			ActiveKey key = new ActiveKey(name(context), context.getLowCardinalityKeyValues());
			context.put(LongTaskTimer.Sample.class, kept(this.active, key, this::activeTimer).start());
		}
		context.put(Timer.Sample.class, Timer.start(this.registry));
	}

	@Override
	public void onStop(GatewayObservationContext context) {
		Throwable error = context.getError();
		TimerKey key = new TimerKey(name(context), context.getLowCardinalityKeyValues(),
				(error != null) ? error.getClass().getSimpleName() : "none");
		context.<Timer.Sample>getRequired(Timer.Sample.class).stop(kept(this.timers, key, this::timer));
		if (this.longTaskTimer) {
			context.<LongTaskTimer.Sample>getRequired(LongTaskTimer.Sample.class).stop();
		}
	}

	@Override
	public void onEvent(Observation.Event event, GatewayObservationContext context) {
		Counter.builder(name(context) + "." + event.getName())
			.tags(tags(context.getLowCardinalityKeyValues()))
			.register(this.registry)
			.increment();
	}

	/** How many meters are kept (for tests). */
	int keptCount() {
		return this.timers.size() + this.active.size();
	}

	private static String name(GatewayObservationContext context) {
		String name = context.getName();
		return (name != null) ? name : DefaultGatewayObservationConvention.NAME;
	}

	private Timer timer(TimerKey key) {
		List<Tag> tags = tags(key.keyValues());
		tags.add(Tag.of("error", key.error()));
		return this.registry.timer(key.name(), tags);
	}

	private LongTaskTimer activeTimer(ActiveKey key) {
		return this.registry.more().longTaskTimer(key.name() + ".active", tags(key.keyValues()));
	}

	private static <K, M> M kept(Map<K, M> meters, K key, Function<K, M> lookUp) {
		M meter = meters.get(key);
		if (meter == null) {
			meter = lookUp.apply(key);
			if (meters.size() < MAX_KEPT) {
				meters.putIfAbsent(key, meter);
			}
		}
		return meter;
	}

	private static List<Tag> tags(KeyValues keyValues) {
		List<Tag> tags = new ArrayList<>();
		for (KeyValue keyValue : keyValues) {
			tags.add(Tag.of(keyValue.getKey(), keyValue.getValue()));
		}
		return tags;
	}

	private record TimerKey(String name, KeyValues keyValues, String error) {
	}

	private record ActiveKey(String name, KeyValues keyValues) {
	}

}
