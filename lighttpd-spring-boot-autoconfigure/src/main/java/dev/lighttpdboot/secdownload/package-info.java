/**
 * Time-limited signed download links as lighttpd's {@code mod_secdownload}: link generation and the web filter
 * that checks them in constant time.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.secdownload;

import org.jspecify.annotations.NullMarked;
