/**
 * Auto-configuration of FLV pseudo-streaming ({@code lighttpd.streaming.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.streaming.autoconfigure;

import org.jspecify.annotations.NullMarked;
