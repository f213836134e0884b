package dev.lighttpdboot.sample;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when the Debian package of a peer it needs is missing: skipped by default, failed under
 * {@code -Dpeers=required} (CI), as in the autoconfigure module's tests.
 */
final class Peers {

	private Peers() {
	}

	static Path require(String debianPackage, Path file) {
		String peers = System.getProperty("peers", "optional");
		boolean required = switch (peers) {
			case "required" -> true;
			case "optional" -> false;
			default -> throw new IllegalArgumentException(
					"System property peers must be 'optional' or 'required', not '" + peers + "'");
		};
		if (Files.isRegularFile(file)) {
			return file;
		}
		String message = file + " is missing; install it with: apt-get install " + debianPackage;
		if (required) {
			Assertions.fail(message + " (peers=required turns this skip into a failure)");
		}
		Assumptions.abort(message);
		throw new AssertionError("unreachable");
	}

}
