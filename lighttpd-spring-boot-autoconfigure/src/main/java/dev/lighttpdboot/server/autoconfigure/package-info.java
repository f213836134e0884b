/**
 * Auto-configuration of the server's limits ({@code lighttpd.server.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.server.autoconfigure;

import org.jspecify.annotations.NullMarked;
