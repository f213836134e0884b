/**
 * Local backend processes (lighttpd's {@code bin-path}): spawned on private Unix-domain sockets, supervised,
 * restarted with back-off and stopped with their process trees.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.spawn;

import org.jspecify.annotations.NullMarked;
