package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The sample app's defaults for a test context, as {@code SampleApplication.main} sets them: the extracted demo
 * site, and no PHP route unless a test adds one.
 */
final class DemoProperties {

	private DemoProperties() {
	}

	static void register(DynamicPropertyRegistry registry) {
		try {
			SampleApplication.demoDefaults(DemoSite.extract()).forEach((name, value) -> registry.add(name, () -> value));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
