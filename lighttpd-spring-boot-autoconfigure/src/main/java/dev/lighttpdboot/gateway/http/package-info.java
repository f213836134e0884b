/**
 * The HTTP protocol of gateway routes ({@code protocol: http}): requests proxied to HTTP/1.1 backends such as puma
 * over kept-alive connections of Reactor Netty's HTTP client, with hop-by-hop headers removed and forwarded headers
 * added.
 */
@NullMarked
package dev.lighttpdboot.gateway.http;

import org.jspecify.annotations.NullMarked;
