package dev.lighttpdboot.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Beyond the connection limit new connections are closed at once and counted, the connections already held are
 * still served, and a freed place is given to the next client (finding: idle connections exhausted the file
 * descriptors and the server answered nobody).
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "lighttpd.server.max-connections=4")
class ConnectionLimitIntegrationTests extends RealServerTests {

	@Autowired
	MeterRegistry meters;

	@Autowired
	ServerLimitsPipeline pipeline;

	@Test
	void connectionsBeyondTheLimitAreClosedAtOnce() throws IOException {
		List<RawHttp.Connection> held = new ArrayList<>();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.pipeline.openConnections() == 0);
			for (int i = 0; i < 4; i++) {
				RawHttp.Connection connection = raw().open();
				// A full exchange: the server has admitted the connection when it answers.
				assertThat(connection.exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
				held.add(connection);
			}
			try (RawConnection refused = RawConnection.open(this.port)) {
				refused.write("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
				await().atMost(Duration.ofSeconds(10)).until(refused::isClosedByServer);
				assertThat(refused.received()).isEmpty();
			}
			assertThat(refused()).isGreaterThanOrEqualTo(1);
			// The held connections are still served.
			assertThat(held.get(0).exchange("GET", "/hello.txt", "").status()).isEqualTo(200);
			held.remove(0).close();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.pipeline.openConnections() == 3);
			assertThat(raw().get("/hello.txt").status()).isEqualTo(200);
		}
		finally {
			for (RawHttp.Connection connection : held) {
				connection.close();
			}
		}
	}

	private double refused() {
		Counter counter = this.meters.find("lighttpd.server.refused").tag("reason", ServerRefusals.CONNECTION_LIMIT)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

}
