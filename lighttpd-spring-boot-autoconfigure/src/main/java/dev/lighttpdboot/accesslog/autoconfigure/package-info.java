/**
 * Auto-configuration of the access log ({@code lighttpd.access-log.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.accesslog.autoconfigure;

import org.jspecify.annotations.NullMarked;
