/**
 * Text from the wire: the one strict percent-decoder and query decoder, and the escaping of untrusted text
 * before it reaches a log.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.text;

import org.jspecify.annotations.NullMarked;
