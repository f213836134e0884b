/**
 * Auto-configuration of the actuator endpoint, health indicators and cache meters; each backs off on its own
 * when its optional dependency is missing.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.actuate.autoconfigure;

import org.jspecify.annotations.NullMarked;
