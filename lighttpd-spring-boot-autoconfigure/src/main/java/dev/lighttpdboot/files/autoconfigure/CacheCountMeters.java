package dev.lighttpdboot.files.autoconfigure;

import dev.lighttpdboot.files.CacheCounts;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The counters every file cache has, named like Micrometer's own cache meters: {@code <prefix>.gets} (tag
 * {@code result=hit|miss}) and {@code <prefix>.evictions}.
 */
final class CacheCountMeters {

	private CacheCountMeters() {
	}

	/**
	 * Register the counters of a cache.
	 * @param registry where
	 * @param prefix the meters' name before {@code .gets} and {@code .evictions}
	 * @param counts what they read
	 * @param descriptions of the hits, the misses and the evictions, in this order
	 */
	static void register(MeterRegistry registry, String prefix, CacheCounts counts, String... descriptions) {
		FunctionCounter.builder(prefix + ".gets", counts, CacheCounts::hits)
			.tag("result", "hit")
			.description(descriptions[0])
			.register(registry);
		FunctionCounter.builder(prefix + ".gets", counts, CacheCounts::misses)
			.tag("result", "miss")
			.description(descriptions[1])
			.register(registry);
		FunctionCounter.builder(prefix + ".evictions", counts, CacheCounts::evictions)
			.description(descriptions[2])
			.register(registry);
	}

}
