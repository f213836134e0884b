package dev.lighttpdboot.staticfiles;

import org.springframework.test.context.TestPropertySource;

/**
 * Every attack of {@link TraversalIntegrationTests}, with kept small files answered in the connection's pipeline
 * ({@code lighttpd.files.dispatch=netty}): the refusals and the symlink rules are the same.
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=netty")
class TraversalNettyDispatchIntegrationTests extends TraversalIntegrationTests {

}
