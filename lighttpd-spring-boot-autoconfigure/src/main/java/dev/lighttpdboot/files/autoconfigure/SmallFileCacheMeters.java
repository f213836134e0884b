package dev.lighttpdboot.files.autoconfigure;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.files.SmallFileCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;

/**
 * Meters of the small-file memory cache, read from it when scraped, named like Micrometer's own cache meters:
 * <ul>
 * <li>{@code lighttpd.files.memory.gets} (tag {@code result=hit|miss}): lookups of files small enough to be
 * kept;</li>
 * <li>{@code lighttpd.files.memory.evictions}: files dropped to stay within the total size;</li>
 * <li>{@code lighttpd.files.memory.size} (bytes) and {@code lighttpd.files.memory.entries}: what is held.</li>
 * </ul>
 * Bound once, by the actuator or by itself with Micrometer alone ({@link OnceBoundMeters}).
 */
public final class SmallFileCacheMeters extends OnceBoundMeters {

	private final SmallFileCache cache;

	public SmallFileCacheMeters(SmallFileCache cache) {
		this.cache = cache;
	}

	@Override
	protected void register(MeterRegistry registry) {
		CacheCountMeters.register(registry, "lighttpd.files.memory", this.cache.counts(),
				"Requests for a small file answered from memory", "Requests for a small file that had to read it first",
				"Files dropped from memory to stay within the total size");
		Gauge.builder("lighttpd.files.memory.size", this.cache, SmallFileCache::size)
			.baseUnit(BaseUnits.BYTES)
			.description("Bytes of small files held in memory (off-heap)")
			.register(registry);
		Gauge.builder("lighttpd.files.memory.entries", this.cache, SmallFileCache::entries)
			.description("Small files held in memory")
			.register(registry);
	}

}
