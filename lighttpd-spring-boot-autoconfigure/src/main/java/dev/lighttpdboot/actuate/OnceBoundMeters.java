package dev.lighttpdboot.actuate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * The one way every feature records its meters: a {@link MeterBinder} bound once, that creates its meters when
 * bound (or when a tag combination is first seen) and keeps them, so that recording is a map read and an
 * increment, never a registry or bean lookup, on the event loop or elsewhere.
 * <ul>
 * <li>Bound by Spring Boot's actuator (it binds every {@code MeterBinder} bean), or, as a bean with Micrometer
 * alone, by itself to the context's one {@link MeterRegistry} once every singleton exists; whichever comes second
 * is ignored, so no meter is registered twice.</li>
 * <li>Before it is bound, nothing is recorded: no request is served before the context has started.</li>
 * </ul>
 */
public abstract class OnceBoundMeters implements MeterBinder, BeanFactoryAware, SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(OnceBoundMeters.class);

	private volatile @Nullable MeterRegistry registry;

	private @Nullable BeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.beanFactory != null) {
			this.beanFactory.getBeanProvider(MeterRegistry.class).ifUnique(this::bindTo);
		}
	}

	@Override
	public final synchronized void bindTo(MeterRegistry registry) {
		if (this.registry != null) {
			if (this.registry != registry && logger.isDebugEnabled()) {
				logger.debug(getClass().getSimpleName() + " records into " + this.registry + " already; not bound to "
						+ registry);
			}
			return;
		}
		// Set first, so that register() may fill the caches of tag values known up front.
		this.registry = registry;
		register(registry);
	}

	/**
	 * Register the meters whose tags are known up front (their series exist at 0 from start-up).
	 * @param registry the registry bound to
	 */
	protected abstract void register(MeterRegistry registry);

	/**
	 * Return the registry bound to, or {@code null} before binding.
	 */
	public final @Nullable MeterRegistry registry() {
		return this.registry;
	}

	/**
	 * Meters of one name, one per combination of tag values, created on first use and kept.
	 * @param <K> the tag values, as a record or list
	 * @param <M> the meter type
	 */
	protected final class Cache<K, M extends Meter> {

		private final Map<K, M> meters = new ConcurrentHashMap<>();

		private final Function<K, M> create;

		private final Function<MeterRegistry, Function<K, M>> factory;

		/**
		 * Create a cache.
		 * @param factory given the registry, a function building (and registering) the meter of some tag values
		 */
		public Cache(Function<MeterRegistry, Function<K, M>> factory) {
			this.factory = factory;
			this.create = (key) -> this.factory.apply(OnceBoundMeters.this.registry).apply(key);
		}

		/**
		 * Return the meter of these tag values, or {@code null} before binding.
		 */
		public @Nullable M get(K key) {
			M meter = this.meters.get(key);
			if (meter != null) {
				return meter;
			}
			if (OnceBoundMeters.this.registry == null) {
				return null;
			}
			return this.meters.computeIfAbsent(key, this.create);
		}

	}

}
