/**
 * The gateway engine shared by FastCGI, SCGI and CGI, as lighttpd's {@code gw_backend}: pools of backends,
 * probing and disabling of failed backends, the protocol seam and the gateway's metrics and observations.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway;

import org.jspecify.annotations.NullMarked;
