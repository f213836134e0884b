/**
 * Request bodies spooled before a backend is chosen and response bodies buffered before they reach a slow
 * client, in memory up to a bound and in a temporary file beyond it.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.spool;

import org.jspecify.annotations.NullMarked;
