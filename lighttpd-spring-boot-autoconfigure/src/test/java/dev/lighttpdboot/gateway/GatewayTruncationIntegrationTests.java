package dev.lighttpdboot.gateway;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.peers.PhpFpm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend that dies in the middle of a response: the client must see a broken response (the connection closed
 * before the end of the chunked body), never a short body that looks complete.
 */
class GatewayTruncationIntegrationTests extends RealServerTests {

	// Killed by the only test of this class.
	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(1);

	@DynamicPropertySource
	static void route(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.gateway.routes[0].name", () -> "php");
		registry.add("lighttpd.gateway.routes[0].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> phpFpm.documentRoot().toString());
		registry.add("lighttpd.gateway.routes[0].backends[0].address",
				() -> "127.0.0.1:" + phpFpm.address().getPort());
	}

	@BeforeAll
	static void writeScripts() {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
	}

	@Test
	void aBackendKilledMidResponseClosesTheClientConnection() throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(20_000);
			socket.getOutputStream()
				.write("GET /big.php?mb=500 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			byte[] first = in.readNBytes(256 * 1024);
			assertThat(new String(first, 0, 15, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
			phpFpm.kill();
			ByteArrayOutputStream rest = new ByteArrayOutputStream();
			byte[] chunk = new byte[65536];
			int read;
			long total = first.length;
			while ((read = in.read(chunk)) != -1) {
				total += read;
				rest.reset();
				rest.write(chunk, 0, read);
			}
			// The connection ended (read returned -1) long before 500 MiB, and not with the last chunk of a
			// complete chunked body.
			assertThat(total).isLessThan(500L * 1024 * 1024);
			assertThat(new String(rest.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotEndWith("0\r\n\r\n");
		}
	}

}
