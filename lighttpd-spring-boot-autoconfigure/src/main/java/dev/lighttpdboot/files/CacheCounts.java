package dev.lighttpdboot.files;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How one of the file caches was used: lookups that found what they asked for, lookups that did not, and entries
 * dropped to stay within the cache's bound. Read by the cache's meters.
 */
public final class CacheCounts {

	private final AtomicLong hits = new AtomicLong();

	private final AtomicLong misses = new AtomicLong();

	private final AtomicLong evictions = new AtomicLong();

	void hit() {
		this.hits.incrementAndGet();
	}

	void miss() {
		this.misses.incrementAndGet();
	}

	void evicted() {
		this.evictions.incrementAndGet();
	}

	/**
	 * Return how many lookups found what they asked for.
	 */
	public long hits() {
		return this.hits.get();
	}

	/**
	 * Return how many lookups of a file the cache accepts found nothing, or something of another version of it.
	 */
	public long misses() {
		return this.misses.get();
	}

	/**
	 * Return how many entries were dropped to stay within the cache's bound.
	 */
	public long evictions() {
		return this.evictions.get();
	}

}
