package dev.lighttpdboot.actuate;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ManagementPortIntegrationTests} with kept small files answered in the connection's pipeline
 * ({@code lighttpd.files.dispatch=netty}): the handler that answers them is on the application's port only, so
 * a file kept after requests on the application's port is still 404 on the management port.
 */
@TestPropertySource(properties = "lighttpd.files.dispatch=netty")
class ManagementPortNettyDispatchIntegrationTests extends ManagementPortIntegrationTests {

	@Test
	void aKeptFileStaysOffTheManagementPort() throws Exception {
		for (int i = 0; i < 3; i++) {
			assertThat(status(this.port, "/hello.txt")).isEqualTo(200);
		}
		assertThat(status(this.managementPort, "/hello.txt")).isEqualTo(404);
	}

}
