/**
 * Auto-configuration of signed download links ({@code lighttpd.secdownload.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.secdownload.autoconfigure;

import org.jspecify.annotations.NullMarked;
