package dev.lighttpdboot.files;

import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link FileDeliveryIntegrationTests} (conditional requests, Range, HEAD, 304 and 412, methods,
 * types, the one write of a small file), with the document root served ahead of the application
 * ({@code lighttpd.files.dispatch=direct}).
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=direct")
class FileDeliveryDirectDispatchIntegrationTests extends FileDeliveryIntegrationTests {

}
