/**
 * CGI/1.1: the environment built from a request, the script resolution below a document root, and the parser of
 * the response head a script or backend writes.
 * <p>Null-marked: a type is non-null unless it says {@code @Nullable}.
 */
@NullMarked
package dev.lighttpdboot.gateway.cgi;

import org.jspecify.annotations.NullMarked;
