/**
 * Upload progress as lighttpd's {@code mod_uploadprogress}: counting a request body as it arrives, the stores
 * (in memory or Redis) and the endpoint a browser polls.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.uploadprogress;

import org.jspecify.annotations.NullMarked;
