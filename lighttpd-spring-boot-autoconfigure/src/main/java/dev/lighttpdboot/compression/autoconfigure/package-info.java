/**
 * Auto-configuration of response compression ({@code lighttpd.compression.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.compression.autoconfigure;

import org.jspecify.annotations.NullMarked;
