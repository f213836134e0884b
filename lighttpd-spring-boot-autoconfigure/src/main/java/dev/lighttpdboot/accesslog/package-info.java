/**
 * Access logging in lighttpd's {@code mod_accesslog} format: the format parser and the Reactor Netty access-log
 * factory that writes one line per exchange.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.accesslog;

import org.jspecify.annotations.NullMarked;
