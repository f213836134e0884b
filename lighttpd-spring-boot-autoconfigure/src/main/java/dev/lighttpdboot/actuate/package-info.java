/**
 * Actuator support: the {@code lighttpd} endpoint, health indicators for gateway pools and the upload-progress
 * store, and the meters of the pools and caches.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.actuate;

import org.jspecify.annotations.NullMarked;
