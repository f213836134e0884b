package dev.lighttpdboot.gateway.scgi;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.test.peers.Echo;
import dev.lighttpdboot.test.peers.Uwsgi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link ScgiBackend} against uwsgi's SCGI socket (Debian packages {@code uwsgi}, {@code uwsgi-plugin-python3})
 * serving a small WSGI application, through a {@code WebClient}.
 */
class ScgiBackendTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static final Uwsgi uwsgi = Uwsgi.scgiOnFreePort();

	private ScgiBackend backend;

	@AfterEach
	void dispose() {
		if (this.backend != null) {
			this.backend.dispose().block(Duration.ofSeconds(5));
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void sendsTheRequestAsCgiInANetstring() throws Exception {
		byte[] body = "name=value&other=1".getBytes();
		ResponseEntity<String> response = client(uwsgi.address()).post()
			.uri(URI.create("http://localhost/py/echo?x=1&y=%20"))
			.header("X-Trace", "abc")
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.bodyValue(body)
			.retrieve().toEntity(String.class).block(Duration.ofSeconds(10));
		Map<String, Object> echo = JSON.readValue(response.getBody(), Map.class);
		assertThat(echo).containsEntry("method", "POST").containsEntry("query", "x=1&y=%20")
			.containsEntry("bodyLength", body.length)
			.containsEntry("bodySha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
		assertThat((Map<String, Object>) echo.get("headers")).containsEntry("HTTP_X_TRACE", "abc");
		assertThat((Map<String, Object>) echo.get("cgi")).containsEntry("CONTENT_LENGTH", Integer.toString(body.length))
			.containsEntry("CONTENT_TYPE", "application/x-www-form-urlencoded")
			.containsEntry("SCRIPT_NAME", "/py/echo")
			.containsEntry("REQUEST_URI", "/py/echo?x=1&y=%20");
	}

	@Test
	void streamsALargeAnswerAndTakesTheStatusFromTheCgiHead() {
		byte[] streamed = client(uwsgi.address()).get().uri(URI.create("http://localhost/echo?stream=300000"))
			.retrieve().bodyToMono(byte[].class).block(Duration.ofSeconds(10));
		assertThat(streamed).isEqualTo(Echo.streamed(300000));
		HttpStatus status = (HttpStatus) client(uwsgi.address()).get().uri(URI.create("http://localhost/echo?status=404"))
			.exchangeToMono((answer) -> answer.releaseBody().thenReturn(answer.statusCode()))
			.block(Duration.ofSeconds(10));
		assertThat(status).isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void aRefusedConnectionIsUnavailable() throws Exception {
		InetSocketAddress closed;
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			closed = (InetSocketAddress) socket.getLocalSocketAddress();
		}
		assertThatExceptionOfType(WebClientRequestException.class)
			.isThrownBy(() -> client(closed).get().uri(URI.create("http://localhost/echo")).retrieve()
				.toBodilessEntity().block(Duration.ofSeconds(10)))
			.satisfies((ex) -> {
				assertThat(ex.getCause()).isInstanceOf(BackendException.class);
				assertThat(((BackendException) ex.getCause()).kind()).isEqualTo(BackendException.Kind.NOT_TAKEN);
			});
	}

	private WebClient client(InetSocketAddress address) {
		if (this.backend != null) {
			this.backend.dispose().block(Duration.ofSeconds(5));
		}
		this.backend = new ScgiBackend("uwsgi", address, BackendOptions.DEFAULTS, new CgiEnvironment());
		return WebClient.builder().clientConnector(new CgiClientHttpConnector(this.backend, "/srv/app"))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build();
	}

}
