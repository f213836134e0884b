/**
 * The FastCGI client: the record codec (encoder and streaming decoder), connections with their response router,
 * and the connection pool.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.fastcgi;

import org.jspecify.annotations.NullMarked;
