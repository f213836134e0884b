package dev.lighttpdboot.gateway.fastcgi;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults only a real backend process can produce: php-fpm killed while it streams a response.
 */
class FastCgiBackendFaultTests {

	// A fresh php-fpm for each test: the test kills it.
	@RegisterExtension
	final PhpFpm phpFpm = PhpFpm.onFreePort().children(1);

	@Test
	void aBackendKilledDuringTheResponseBreaksTheBodyWith502() {
		PhpScripts.writeTo(this.phpFpm.documentRoot());
		FastCgiBackend backend = new FastCgiBackend("php-fpm", this.phpFpm.address(), FastCgiBackendOptions.DEFAULTS);
		WebClient client = WebClient.builder()
			.clientConnector(new CgiClientHttpConnector(backend, this.phpFpm.documentRoot().toString()))
			.build();
		AtomicLong received = new AtomicLong();
		StepVerifier.create(client.get().uri("http://localhost/big.php?mb=200").retrieve()
			.bodyToFlux(DataBuffer.class)
			// Killing a process waits for it: not on an event loop.
			.publishOn(reactor.core.scheduler.Schedulers.boundedElastic())
			.doOnNext((buffer) -> {
				if (received.getAndAdd(buffer.readableByteCount()) == 0) {
					// The head and the first bytes arrived: the response has begun.
					this.phpFpm.kill();
				}
				DataBufferUtils.release(buffer);
			})
			.then())
			.expectErrorSatisfies((ex) -> {
				// WebClient reports a body that broke after "200 OK" with the backend's failure as the cause.
				assertThat(ex.getCause()).isInstanceOf(BackendException.class);
				BackendException cause = (BackendException) ex.getCause();
				assertThat(cause.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
				assertThat(cause.beforeResponse()).isFalse();
			})
			.verify(Duration.ofSeconds(20));
		assertThat(received.get()).isPositive().isLessThan(200L * 1024 * 1024);
		backend.dispose().block(Duration.ofSeconds(5));
	}

}
