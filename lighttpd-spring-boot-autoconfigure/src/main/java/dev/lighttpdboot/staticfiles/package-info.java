/**
 * Static files from a document root as lighttpd's {@code mod_staticfile}, with index files and optional
 * directory listings.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.staticfiles;

import org.jspecify.annotations.NullMarked;
