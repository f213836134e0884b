package dev.lighttpdboot.compression;

import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link StaticCompressionIntegrationTests} (negotiation, validators per encoding, Range on the
 * encoded bytes, precompressed siblings), with the document root served ahead of the application
 * ({@code lighttpd.files.dispatch=direct}).
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=direct")
class StaticCompressionDirectDispatchIntegrationTests extends StaticCompressionIntegrationTests {

}
