package dev.lighttpdboot.gateway;

import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link GatewayRouteIntegrationTests} (CGI environment, bodies, statuses, X-Sendfile, streaming,
 * faults, metrics) with the backends of bodiless GET requests called from the connection's pipeline
 * ({@code lighttpd.gateway.dispatch=netty}). The stat cache trusts its lookups for longer than the class runs, so
 * that a script's second request is called from there too ({@code check-local} needs a fresh lookup).
 */
@TestPropertySource(properties = { "lighttpd.gateway.dispatch=netty", "lighttpd.files.stat-cache-validity=10m" })
class GatewayRouteInThePipelineIntegrationTests extends GatewayRouteIntegrationTests {

}
