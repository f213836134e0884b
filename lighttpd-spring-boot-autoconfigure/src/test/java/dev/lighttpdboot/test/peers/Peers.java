package dev.lighttpdboot.test.peers;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides what a test does when the Debian package of a real peer is missing: by default it is skipped, so a
 * developer without php-fpm can still run the build; with the system property {@code peers=required} (CI) it
 * fails, so a broken CI image cannot turn the peer tests into silent skips.
 */
public final class Peers {

	/** The system property, passed to Surefire by the parent pom. */
	public static final String PROPERTY = "peers";

	private Peers() {
	}

	/**
	 * Return {@code file} if it exists, else skip or fail the current test (or class) according to the
	 * {@value #PROPERTY} system property.
	 * @param debianPackage the package that installs {@code file}, named in the message
	 * @param file the binary or plugin the peer needs
	 * @return {@code file}
	 */
	public static Path require(String debianPackage, Path file) {
		return require(debianPackage, file, System.getProperty(PROPERTY, "optional"));
	}

	static Path require(String debianPackage, Path file, String peers) {
		// Checked before the file, so that a typo such as -Dpeers=requried fails on every machine.
		boolean required = switch (peers) {
			case "required" -> true;
			case "optional" -> false;
			default -> throw new IllegalArgumentException(
					"System property " + PROPERTY + " must be 'optional' or 'required', not '" + peers + "'");
		};
		if (Files.isRegularFile(file)) {
			return file;
		}
		String message = file + " is missing; install it with: apt-get install " + debianPackage;
		if (required) {
			Assertions.fail(message + " (" + PROPERTY + "=required turns this skip into a failure)");
		}
		Assumptions.abort(message);
		throw new AssertionError("unreachable");
	}

}
