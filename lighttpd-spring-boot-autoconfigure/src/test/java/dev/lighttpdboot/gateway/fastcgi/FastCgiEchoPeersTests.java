package dev.lighttpdboot.gateway.fastcgi;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import dev.lighttpdboot.gateway.cgi.CgiClientHttpConnector;
import dev.lighttpdboot.test.peers.Echo;
import dev.lighttpdboot.test.peers.FastCgiPeer;
import dev.lighttpdboot.test.peers.JettyFastCgi;
import dev.lighttpdboot.test.peers.Uwsgi;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CgiClientHttpConnector} against the echo peers, which show what the client sent: uwsgi (a Python
 * application) and Jetty's FastCGI server (pure Java, so this runs without any Debian package).
 */
class FastCgiEchoPeersTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	abstract static class Contract {

		abstract FastCgiPeer peer();

		private WebClient client(FastCgiBackend backend) {
			return WebClient.builder().clientConnector(new CgiClientHttpConnector(backend, "/srv/app"))
				.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
				.build();
		}

		@Test
		@SuppressWarnings("unchecked")
		void sendsTheRequestAsCgi() throws Exception {
			FastCgiBackend backend = new FastCgiBackend("echo", peer().address(), FastCgiBackendOptions.DEFAULTS);
			try {
				byte[] body = "name=value&other=1".getBytes();
				ResponseEntity<String> response = client(backend).post().uri(java.net.URI.create("http://localhost/app/echo?x=1&y=%20"))
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
					.containsEntry("CONTENT_TYPE", "application/x-www-form-urlencoded");
			}
			finally {
				backend.dispose().block(Duration.ofSeconds(5));
			}
		}

		@Test
		void streamsAndSetsTheStatus() {
			FastCgiBackend backend = new FastCgiBackend("echo", peer().address(), FastCgiBackendOptions.DEFAULTS);
			try {
				for (int i = 0; i < 3; i++) {
					ResponseEntity<byte[]> streamed = client(backend).get().uri("http://localhost/app/echo?stream=300000")
						.retrieve().toEntity(byte[].class).block(Duration.ofSeconds(10));
					assertThat(streamed.getBody()).isEqualTo(Echo.streamed(300000));
				}
				HttpStatus status = client(backend).get().uri("http://localhost/app/echo?status=404")
					.exchangeToMono((response) -> response.releaseBody().thenReturn(HttpStatus.valueOf(response.statusCode().value())))
					.block(Duration.ofSeconds(10));
				assertThat(status).isEqualTo(HttpStatus.NOT_FOUND);
			}
			finally {
				backend.dispose().block(Duration.ofSeconds(5));
			}
		}

	}

	@Nested
	class OnJetty extends Contract {

		@RegisterExtension
		static final JettyFastCgi jetty = JettyFastCgi.onFreePort();

		@Override
		FastCgiPeer peer() {
			return jetty;
		}

	}

	@Nested
	class OnUwsgi extends Contract {

		@RegisterExtension
		static final Uwsgi uwsgi = Uwsgi.onFreePort();

		@Override
		FastCgiPeer peer() {
			return uwsgi;
		}

	}

}
