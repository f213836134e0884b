/**
 * Routing of requests to gateway pools: matching by prefix or extension, the handler mapping that forwards an
 * exchange and relays the backend's response.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.route;

import org.jspecify.annotations.NullMarked;
