package dev.lighttpdboot.compression;

import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link StaticCompressionIntegrationTests} (negotiation, validators per encoding, Range on the
 * encoded bytes, precompressed siblings), with kept small files answered in the connection's pipeline
 * ({@code lighttpd.files.dispatch=netty}): a file whose answer depends on Accept-Encoding never is.
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=netty")
class StaticCompressionNettyDispatchIntegrationTests extends StaticCompressionIntegrationTests {

}
