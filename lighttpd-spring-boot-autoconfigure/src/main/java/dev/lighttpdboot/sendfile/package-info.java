/**
 * X-Sendfile and X-Accel-Redirect: a handler's response header names a file the server sends instead, within
 * the allowed roots.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.sendfile;

import org.jspecify.annotations.NullMarked;
