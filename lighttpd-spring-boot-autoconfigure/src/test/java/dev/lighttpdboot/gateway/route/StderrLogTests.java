package dev.lighttpdboot.gateway.route;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-pool limit on STDERR log lines, on a clock the test moves.
 */
class StderrLogTests {

	private final List<String> warnings = new CopyOnWriteArrayList<>();

	private final AtomicLong now = new AtomicLong(5_000_000_000L);

	private final StderrLog log = new StderrLog(recordingWarnings(), "php", 3, this.now::get);

	@Test
	void linesBeyondTheLimitAreCountedAndTheCountComesWithTheNextLogged() {
		for (int i = 0; i < 10; i++) {
			this.log.log("127.0.0.1:9000", "/a.php", "line " + i);
		}
		assertThat(this.warnings).containsExactly("stderr of 127.0.0.1:9000 for /a.php: line 0",
				"stderr of 127.0.0.1:9000 for /a.php: line 1", "stderr of 127.0.0.1:9000 for /a.php: line 2");
		this.now.addAndGet(999_000_000L);
		this.log.log("127.0.0.1:9000", "/a.php", "still the same second");
		assertThat(this.warnings).hasSize(3);
		this.now.addAndGet(1_000_000L);
		this.log.log("127.0.0.1:9000", "/a.php", "next second");
		assertThat(this.warnings).hasSize(5).endsWith(
				"stderr of pool 'php': suppressed 8 lines (more than 3 per second)",
				"stderr of 127.0.0.1:9000 for /a.php: next second");
	}

	@Test
	void outputIsEscapedSoItCannotForgeLogLines() {
		this.log.log("b", "/x.php", "evil\nFAKE line");
		assertThat(this.warnings).singleElement().asString().doesNotContain("\n").contains("FAKE line");
	}

	private Log recordingWarnings() {
		return (Log) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Log.class },
				(proxy, method, args) -> {
					if (method.getName().equals("warn")) {
						this.warnings.add(String.valueOf(args[0]));
						return null;
					}
					return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
				});
	}

}
