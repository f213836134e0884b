package dev.lighttpdboot.files.autoconfigure;

import dev.lighttpdboot.actuate.OnceBoundMeters;
import dev.lighttpdboot.files.OpenFileCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Meters of the open-file cache, read from it when scraped, named like Micrometer's own cache meters:
 * <ul>
 * <li>{@code lighttpd.files.descriptors.gets} (tag {@code result=hit|miss}): files to send from their descriptor
 * that found one kept open, or had to be opened;</li>
 * <li>{@code lighttpd.files.descriptors.evictions}: descriptors let go to stay within the bound;</li>
 * <li>{@code lighttpd.files.descriptors.entries}: descriptors kept open.</li>
 * </ul>
 * Bound once, by the actuator or by itself with Micrometer alone ({@link OnceBoundMeters}).
 */
public final class OpenFileCacheMeters extends OnceBoundMeters {

	private final OpenFileCache cache;

	public OpenFileCacheMeters(OpenFileCache cache) {
		this.cache = cache;
	}

	@Override
	protected void register(MeterRegistry registry) {
		CacheCountMeters.register(registry, "lighttpd.files.descriptors", this.cache.counts(),
				"Files sent from a descriptor kept open", "Files that had to be opened for their request",
				"Descriptors let go to stay within the bound");
		Gauge.builder("lighttpd.files.descriptors.entries", this.cache, OpenFileCache::entries)
			.description("Descriptors kept open")
			.register(registry);
	}

}
