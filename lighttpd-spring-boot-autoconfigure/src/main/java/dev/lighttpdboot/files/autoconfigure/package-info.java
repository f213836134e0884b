/**
 * Auto-configuration of the file-serving core ({@code lighttpd.document-root}, {@code lighttpd.files.*}) and the
 * helper that opens a configured document root or fails naming its property.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.files.autoconfigure;

import org.jspecify.annotations.NullMarked;
