/**
 * Auto-configuration of static files ({@code lighttpd.static-files.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.staticfiles.autoconfigure;

import org.jspecify.annotations.NullMarked;
