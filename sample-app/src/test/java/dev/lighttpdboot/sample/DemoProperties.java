package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The sample app's defaults for a test context, as {@code SampleApplication.main} sets them: the extracted demo
 * site, and PHP to a port where nothing listens unless a test names a backend.
 */
final class DemoProperties {

	private DemoProperties() {
	}

	private static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void register(DynamicPropertyRegistry registry) {
		try {
			SampleApplication.demoDefaults(DemoSite.extract()).forEach((name, value) -> registry.add(name, () -> value));
			// application.yml's PHP route needs a backend: one where nothing listens, unless a test names another.
			registry.add("demo.php-backends", () -> "127.0.0.1:" + unusedPort());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
