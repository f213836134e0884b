/**
 * The connection engine shared by the protocols that keep connections to their backends alive (FastCGI, AJP13): a
 * pool per backend that keeps connections on the event loops that use them, with idle eviction and a bounded
 * queue; the retry of a safe request on a fresh connection; the failure kinds "not taken", "broken" and "timed
 * out". A protocol adds only the exchange of one request on one connection: {@link
 * dev.lighttpdboot.gateway.connection.RoutedConnection} and {@link dev.lighttpdboot.gateway.connection.RoutedExchange}
 * carry its life on the connection's event loop, an {@link dev.lighttpdboot.gateway.connection.ExchangeRouter}
 * hands it the decoded messages, and the protocol says only what its messages mean. The demand-driven reading with
 * its read timeout ({@link dev.lighttpdboot.gateway.connection.DemandDrivenReader}) serves SCGI's one-shot
 * connections too.
 */
@NullMarked
package dev.lighttpdboot.gateway.connection;

import org.jspecify.annotations.NullMarked;
