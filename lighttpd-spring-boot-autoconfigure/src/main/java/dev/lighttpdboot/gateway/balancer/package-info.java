/**
 * Load balancers that choose a pool's backend for the next request: round robin, shortest queue, consistent
 * hash and static.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.balancer;

import org.jspecify.annotations.NullMarked;
