/**
 * FLV pseudo-streaming as lighttpd's {@code mod_flv_streaming}.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.streaming;

import org.jspecify.annotations.NullMarked;
