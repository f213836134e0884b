package dev.lighttpdboot.gateway.spawn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link SpawnSpec}.
 */
class SpawnSpecTests {

	@Test
	void replacesEveryAddressPlaceholderWithTheSocketPath() {
		SpawnSpec spec = SpawnSpec.of(List.of("server", "-b", "{address}", "--pid={address}.pid"), 1);
		assertThat(spec.commandFor(Path.of("/run/x/php-0.sock"))).containsExactly("server", "-b",
				"/run/x/php-0.sock", "--pid=/run/x/php-0.sock.pid");
	}

	@Test
	void requiresTheAddressPlaceholder() {
		assertThatIllegalArgumentException().isThrownBy(() -> SpawnSpec.of(List.of("php-cgi", "-b", "9000"), 1))
			.withMessageContaining("{address}");
		assertThatIllegalArgumentException().isThrownBy(() -> SpawnSpec.of(List.of(), 1));
	}

	@Test
	void requiresAtLeastOneProcessAndSaneDurations() {
		List<String> command = List.of("php-cgi", "-b", "{address}");
		assertThatIllegalArgumentException().isThrownBy(() -> SpawnSpec.of(command, 0));
		SpawnSpec spec = SpawnSpec.of(command, 1);
		assertThatIllegalArgumentException().isThrownBy(() -> spec.withBackoff(Duration.ZERO, Duration.ofSeconds(1)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> spec.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> spec.withReadyTimeout(Duration.ZERO));
	}

	@Test
	void backoffDoublesFromTheMinimumUpToTheMaximum() {
		SpawnSpec spec = SpawnSpec.of(List.of("{address}"), 1)
			.withBackoff(Duration.ofMillis(100), Duration.ofMillis(500));
		assertThat(List.of(1, 2, 3, 4, 5, 1000).stream().map(spec::backoff).map(Duration::toMillis))
			.containsExactly(100L, 200L, 400L, 500L, 500L, 500L);
	}

	@Test
	void keepsTheEnvironmentInOrderAndUnmodifiable() {
		SpawnSpec spec = SpawnSpec.of(List.of("{address}"), 1)
			.withEnvironment(Map.of("PHP_FCGI_CHILDREN", "4"));
		assertThat(spec.environment()).containsExactly(Map.entry("PHP_FCGI_CHILDREN", "4"));
		assertThat(spec.processes()).isEqualTo(1);
		assertThat(spec.minBackoff()).isEqualTo(SpawnSpec.DEFAULT_MIN_BACKOFF);
	}

}
