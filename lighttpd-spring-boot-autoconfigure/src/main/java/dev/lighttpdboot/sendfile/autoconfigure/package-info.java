/**
 * Auto-configuration of X-Sendfile ({@code lighttpd.sendfile.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.sendfile.autoconfigure;

import org.jspecify.annotations.NullMarked;
