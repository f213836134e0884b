/**
 * Connection-level limits and refusals of the server: request-head and body timeouts, send timeouts, the
 * connection limit, refused methods and strict request validation.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.server;

import org.jspecify.annotations.NullMarked;
