/**
 * Auto-configuration of the gateway ({@code lighttpd.gateway.*}): pools, routes, spawned processes and their
 * life cycle.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.autoconfigure;

import org.jspecify.annotations.NullMarked;
