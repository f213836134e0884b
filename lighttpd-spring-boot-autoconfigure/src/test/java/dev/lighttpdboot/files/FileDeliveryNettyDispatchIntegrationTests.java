package dev.lighttpdboot.files;

import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link FileDeliveryIntegrationTests} (conditional requests, Range, HEAD, 304 and 412, methods,
 * types, the one write of a small file), with kept small files answered in the connection's pipeline
 * ({@code lighttpd.files.dispatch=netty}).
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=netty")
class FileDeliveryNettyDispatchIntegrationTests extends FileDeliveryIntegrationTests {

}
