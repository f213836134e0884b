/**
 * The SCGI client: the netstring request header and one connection per request.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.scgi;

import org.jspecify.annotations.NullMarked;
