/**
 * The file-serving core shared by every feature that sends files: safe request paths, document roots that never
 * let a path leave them, the stat and small-file caches, conditional requests, ranges and zero-copy delivery.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.files;

import org.jspecify.annotations.NullMarked;
