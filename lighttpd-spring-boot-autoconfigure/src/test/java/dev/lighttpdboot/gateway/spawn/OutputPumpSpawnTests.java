package dev.lighttpdboot.gateway.spawn;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link OutputPump}: what a spawned child writes reaches the log only in printable form.
 */
class OutputPumpSpawnTests {

	@Test
	void linesAreLoggedWithoutControlCharactersAndBlankOnesAreSkipped() throws InterruptedException {
		List<String> lines = new CopyOnWriteArrayList<>();
		CountDownLatch two = new CountDownLatch(2);
		byte[] output = "PHP Warning: \u001b[31mred\u001b[0m in /x.php\r\n  \nsecond\u0007 line\n"
			.getBytes(StandardCharsets.UTF_8);
		OutputPump.start(new ByteArrayInputStream(output), "test-pump", (line) -> {
			lines.add(line);
			two.countDown();
		});
		assertThat(two.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(lines).containsExactly("PHP Warning: ?[31mred?[0m in /x.php", "second? line");
	}

}
