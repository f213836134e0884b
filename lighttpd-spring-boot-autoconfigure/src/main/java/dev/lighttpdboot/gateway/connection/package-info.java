/**
 * The connection engine shared by the protocols that keep connections to their backends alive (FastCGI, AJP13): a
 * pool per backend that keeps connections on the event loops that use them, with idle eviction and a bounded
 * queue; the retry of a safe request on a fresh connection; the failure kinds "not taken", "broken" and "timed
 * out". A protocol adds only the exchange of one request on one connection.
 */
@NullMarked
package dev.lighttpdboot.gateway.connection;

import org.jspecify.annotations.NullMarked;
