/**
 * Auto-configuration of upload progress ({@code lighttpd.upload-progress.*}).
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.uploadprogress.autoconfigure;

import org.jspecify.annotations.NullMarked;
