package dev.lighttpdboot.test.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rule for missing Debian peers: skipped on a developer's machine, failed on CI, and either way the message
 * says what to install.
 */
class PeersTests {

	private static final Path MISSING = Path.of("/usr/sbin/php-fpm-that-does-not-exist");

	@Test
	void missingPeerIsSkippedWhenOptional() {
		assertThatExceptionOfType(TestAbortedException.class)
			.isThrownBy(() -> Peers.require("php-fpm", MISSING, "optional"))
			.withMessageContaining(MISSING.toString())
			.withMessageContaining("apt-get install php-fpm");
	}

	@Test
	void missingPeerFailsWhenRequired() {
		assertThatExceptionOfType(AssertionFailedError.class)
			.isThrownBy(() -> Peers.require("php-fpm", MISSING, "required"))
			.withMessageContaining("apt-get install php-fpm")
			.withMessageContaining("peers=required");
	}

	@Test
	void presentPeerIsReturnedWhateverTheProperty(@TempDir Path directory) throws Exception {
		Path binary = Files.createFile(directory.resolve("php-fpm8.2"));
		assertThat(Peers.require("php-fpm", binary, "optional")).isEqualTo(binary);
		assertThat(Peers.require("php-fpm", binary, "required")).isEqualTo(binary);
	}

	@Test
	void misspelledPropertyIsAnError() {
		assertThatIllegalArgumentException().isThrownBy(() -> Peers.require("php-fpm", MISSING, "requried"))
			.withMessageContaining("requried");
	}

	@Test
	void peerWithoutItsPackageDoesNotStartAndLeavesNothingBehind() {
		Path[] directory = new Path[1];
		PeerProcess uninstalled = new PeerProcess("uninstalled") {

			@Override
			protected List<String> prepare(Path runDirectory, int port) {
				directory[0] = runDirectory;
				return List.of(Peers.require("no-such-package", MISSING).toString());
			}

			@Override
			protected Path logFile(Path runDirectory) {
				return runDirectory.resolve("log");
			}

		};
		// Which of the two depends on -Dpeers; either way JUnit reports the test as not passed.
		assertThatThrownBy(uninstalled::start).isInstanceOfAny(TestAbortedException.class, AssertionFailedError.class)
			.hasMessageContaining("apt-get install no-such-package");
		assertThat(uninstalled.isStarted()).isFalse();
		assertThat(directory[0]).doesNotExist();
	}

	@Test
	void theBuildPassesTheProperty() {
		// The parent pom hands "peers" to Surefire; without it CI's -Dpeers=required would change nothing.
		assertThat(System.getProperty(Peers.PROPERTY)).isIn("optional", "required");
	}

}
