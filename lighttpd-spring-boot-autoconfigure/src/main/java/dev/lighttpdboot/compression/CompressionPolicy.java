package dev.lighttpdboot.compression;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;

/**
 * Which responses may be compressed: by media type (a configured type includes its parameters' variants, and
 * wildcards such as {@code text/*} match a whole family) and by size.
 *
 * @param mediaTypes the compressible types
 * @param minSize the smallest body worth compressing, in bytes
 * @param maxSize the largest file compressed into the cache, in bytes
 */
public record CompressionPolicy(List<MediaType> mediaTypes, long minSize, long maxSize) {

	public CompressionPolicy {
		mediaTypes = List.copyOf(mediaTypes);
	}

	/**
	 * Whether a Content-Type is compressible; a missing one is not.
	 */
	public boolean compressible(@Nullable MediaType type) {
		if (type == null) {
			return false;
		}
		for (MediaType candidate : this.mediaTypes) {
			if (candidate.includes(type)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a body of a known size is worth compressing (a negative size means unknown: yes).
	 */
	public boolean worthCompressing(long size) {
		return size < 0 || size >= this.minSize;
	}

	/**
	 * Whether a file of this size may be compressed into the cache.
	 */
	public boolean cacheable(long size) {
		return size >= this.minSize && size <= this.maxSize;
	}

}
