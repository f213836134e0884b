package dev.lighttpdboot.staticfiles;

import org.springframework.test.context.TestPropertySource;

/**
 * Every attack of {@link TraversalIntegrationTests}, with the document root served ahead of the application
 * ({@code lighttpd.files.dispatch=direct}): the refusals and the symlink rules are the same.
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=direct")
class TraversalDirectDispatchIntegrationTests extends TraversalIntegrationTests {

}
