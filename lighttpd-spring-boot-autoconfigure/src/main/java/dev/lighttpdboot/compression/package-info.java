/**
 * Response compression as lighttpd's {@code mod_deflate}: content-coding negotiation, streaming encoders (gzip,
 * Brotli, Zstandard), the cache of compressed static files and concatenated bundles.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.compression;

import org.jspecify.annotations.NullMarked;
