/**
 * The sample application: a small site that shows every feature of the starter working together.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.sample;

import org.jspecify.annotations.NullMarked;
