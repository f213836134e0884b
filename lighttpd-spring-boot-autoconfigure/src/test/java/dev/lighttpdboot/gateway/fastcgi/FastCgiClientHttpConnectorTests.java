package dev.lighttpdboot.gateway.fastcgi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.test.CountingRelay;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link CgiClientHttpConnector} against a real php-fpm: WebClient calls PHP scripts.
 */
@ExtendWith(OutputCaptureExtension.class)
class CgiClientHttpConnectorTests {

	// Each worker closes its connection after three requests, as pm.max_requests does in production.
	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2).maxRequests(3);

	private FastCgiBackend backend;

	private WebClient client;

	@BeforeAll
	static void writeScripts() {
		PhpScripts.writeTo(phpFpm.documentRoot());
	}

	@BeforeEach
	void connect() {
		this.backend = backend(Duration.ofSeconds(10));
		this.client = client(this.backend);
	}

	@AfterEach
	void disconnect() {
		this.backend.dispose().block(Duration.ofSeconds(5));
	}

	@Test
	void getWithQueryHeadersAndCookies() {
		ResponseEntity<String> response = this.client.get().uri("http://localhost/hello.php?name=fcgi")
			.header(HttpHeaders.USER_AGENT, "connector-test")
			.header("Proxy", "http://evil.example")
			.retrieve().toEntity(String.class).block(Duration.ofSeconds(10));
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(response.getHeaders().get(HttpHeaders.SET_COOKIE)).containsExactly("a=1", "b=2");
		assertThat(response.getHeaders().getFirst("X-Test")).isEqualTo("yes");
		assertThat(response.getBody()).startsWith("Hello fcgi GET /hello.php pi= len=0 ")
			.contains("agent=connector-test")
			.contains("proxy=\n");
	}

	@Test
	void postsAFiveMegabyteBody() throws Exception {
		byte[] body = new byte[5 * 1024 * 1024];
		new Random(3).nextBytes(body);
		String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
		String answer = this.client.post().uri("http://localhost/hello.php").bodyValue(body).retrieve()
			.bodyToMono(String.class).block(Duration.ofSeconds(20));
		assertThat(answer).contains("len=" + body.length).contains("sha=" + sha);
	}

	@Test
	void streamsTwentyMegabytes() {
		Flux<DataBuffer> body = this.client.get().uri("http://localhost/big.php?mb=20").retrieve()
			.bodyToFlux(DataBuffer.class);
		StepVerifier.create(body.map((buffer) -> {
			int length = buffer.readableByteCount();
			DataBufferUtils.release(buffer);
			return (long) length;
		}).reduce(0L, Long::sum)).expectNext(20L * 1024 * 1024).verifyComplete();
	}

	@Test
	void statusAndLocationFromTheScript() {
		assertThat(this.client.get().uri("http://localhost/status.php?code=418").exchangeToMono((response) -> response
			.bodyToMono(String.class).map((body) -> response.statusCode().value() + " " + body))
			.block(Duration.ofSeconds(10))).isEqualTo("418 status body");
		ResponseEntity<Void> redirect = this.client.get().uri("http://localhost/status.php?loc=/elsewhere")
			.exchangeToMono((response) -> response.toBodilessEntity()).block(Duration.ofSeconds(10));
		assertThat(redirect.getStatusCode()).isEqualTo(HttpStatus.FOUND);
		assertThat(redirect.getHeaders().getLocation()).hasToString("/elsewhere");
	}

	@Test
	void missingScriptIsPhpFpmsNotFound() {
		assertThat(this.client.get().uri("http://localhost/missing.php").exchangeToMono((response) -> response
			.bodyToMono(String.class).map((body) -> response.statusCode().value() + " " + body))
			.block(Duration.ofSeconds(10))).isEqualTo("404 File not found.\n");
	}

	@Test
	void connectionsAreReusedAndReplacedWhenPhpFpmClosesThem() throws IOException {
		// Two workers, each closing its connection after three requests: twelve requests one after the other need
		// fresh connections several times, and each must still succeed.
		try (CountingRelay relay = new CountingRelay(phpFpm.address())) {
			FastCgiBackend relayed = new FastCgiBackend("relayed", relay.address(), new FastCgiBackendOptions(4, 16,
					Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30), 64 * 1024));
			WebClient client = client(relayed);
			for (int i = 0; i < 12; i++) {
				assertThat(client.get().uri("http://localhost/hello.php?name=" + i).retrieve().bodyToMono(String.class)
					.block(Duration.ofSeconds(10))).startsWith("Hello " + i + " ");
			}
			relayed.dispose().block(Duration.ofSeconds(5));
			// Three requests per connection make four; a connection found closed on reuse costs one more (the request
			// is sent again on a fresh one). Without reuse it would be twelve.
			assertThat(relay.accepted()).isBetween(4, 8);
		}
	}

	@Test
	void aBackendThatIsDownFailsFastWith503() {
		FastCgiBackend down = new FastCgiBackend("down", new java.net.InetSocketAddress("127.0.0.1", freePort()),
				FastCgiBackendOptions.DEFAULTS);
		long start = System.nanoTime();
		assertThatExceptionOfType(WebClientRequestException.class)
			.isThrownBy(() -> client(down).get().uri("http://localhost/hello.php").retrieve().toBodilessEntity()
				.block(Duration.ofSeconds(10)))
			.withCauseInstanceOf(BackendException.class)
			.satisfies((ex) -> {
				BackendException cause = (BackendException) ex.getCause();
				assertThat(cause.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
				assertThat(cause.backendCause()).isInstanceOf(java.net.ConnectException.class);
			});
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
		down.dispose().block(Duration.ofSeconds(5));
	}

	@Test
	void aSilentBackendTimesOutWith504() {
		FastCgiBackend impatient = backend(Duration.ofMillis(500));
		assertThatExceptionOfType(WebClientRequestException.class)
			.isThrownBy(() -> client(impatient).get().uri("http://localhost/slow.php?s=3").retrieve().toBodilessEntity()
				.block(Duration.ofSeconds(10)))
			.withCauseInstanceOf(BackendException.class)
			.satisfies((ex) -> assertThat(((BackendException) ex.getCause()).getStatusCode())
				.isEqualTo(HttpStatus.GATEWAY_TIMEOUT));
		impatient.dispose().block(Duration.ofSeconds(5));
	}

	@Test
	void aUriCannotNameAScriptOutsideTheDocumentRoot() {
		assertThatExceptionOfType(WebClientRequestException.class)
			.isThrownBy(() -> this.client.get().uri(java.net.URI.create("http://localhost/%2e%2e/etc/passwd.php"))
				.retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
			.withCauseInstanceOf(dev.lighttpdboot.files.PathRefusedException.class);
	}

	@Test
	void stderrOfAFatalErrorIsNotTheBody(CapturedOutput output) {
		String body = this.client.get().uri("http://localhost/fatal.php").exchangeToMono((response) -> response
			.bodyToMono(String.class).defaultIfEmpty("").map((text) -> response.statusCode().value() + " " + text))
			.block(Duration.ofSeconds(10));
		assertThat(body).startsWith("500");
		// PHP reports the error on FastCGI's stderr: the log has it, the client does not.
		assertThat(output).contains("Backend stderr from php-fpm for /fatal.php").contains("undefined_function_call");
		assertThat(body).doesNotContain("undefined_function_call");
	}

	private FastCgiBackend backend(Duration readTimeout) {
		return new FastCgiBackend("php-fpm", phpFpm.address(), new FastCgiBackendOptions(4, 16, Duration.ofSeconds(2),
				readTimeout, Duration.ofSeconds(30), 64 * 1024));
	}

	private static WebClient client(FastCgiBackend backend) {
		return WebClient.builder()
			.clientConnector(new CgiClientHttpConnector(backend, phpFpm.documentRoot().toString()))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(1024 * 1024))
			.build();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
