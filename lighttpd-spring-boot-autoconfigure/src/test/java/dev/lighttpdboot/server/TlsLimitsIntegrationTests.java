package dev.lighttpdboot.server;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.sendfile.SendfileTestHandlers;
import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.TestApplication;
import dev.lighttpdboot.test.TestSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Over TLS (a self-signed key made by the JDK's keytool for this test): requests pass, and the header deadline
 * (counted from the end of the handshake) and the strict checks apply inside the TLS session.
 */
@SpringBootTest(classes = { TestApplication.class, SendfileTestHandlers.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=tls-test-secret",
				"lighttpd.secdownload.algorithm=hmac-sha256", "lighttpd.server.header-timeout=1s", "server.ssl.key-store-type=PKCS12", "server.ssl.key-store-password=changeit",
				"server.ssl.key-alias=test" })
class TlsLimitsIntegrationTests {

	private static final TestSite site = TestSite.shared();

	private static final Path keys = createKeyStore();

	@LocalServerPort
	int port;

	@Autowired
	SecureLinks links;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("lighttpd.document-root", () -> site.root().toString());
		registry.add("lighttpd.secdownload.document-root", () -> site.root().toString());
		registry.add("server.ssl.key-store", () -> keys.resolve("keystore.p12").toUri().toString());
	}

	@AfterAll
	static void cleanUp() throws IOException {
		FileSystemUtils.deleteRecursively(keys);
		LeakWatch.assertNoLeaks();
	}

	@Test
	void requestsStillPassInsideTls() throws Exception {
		// A route, not a file: files over TLS are sent by Netty's ChunkedWriteHandler, whose reads run on the event
		// loop (BlockHound stops them); that belongs to the file-sending feature.
		HttpClient client = client();
		for (int i = 0; i < 2; i++) {
			HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/routed/shadowed.txt")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("from a router function");
		}
	}

	@Test
	void filesAreSentInsideTls() throws Exception {
		// TLS rules out sendfile: the open file is read into buffers off the event loop (BlockHound watches).
		HttpClient client = client();
		HttpResponse<byte[]> big = client.send(HttpRequest.newBuilder(uri("/big.bin")).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(big.statusCode()).isEqualTo(200);
		assertThat(big.body()).isEqualTo(site.big());
		HttpResponse<String> range = client.send(HttpRequest.newBuilder(uri("/hello.txt")).header("Range", "bytes=0-4")
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(range.statusCode()).isEqualTo(206);
		assertThat(range.body()).isEqualTo(TestSite.HELLO.substring(0, 5));
		HttpResponse<byte[]> seek = client.send(HttpRequest.newBuilder(uri("/movie.flv?start=1013")).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(seek.statusCode()).isEqualTo(200);
		assertThat(seek.body()).hasSize(13 + site.movie().length - 1013);
	}

	@Test
	void xSendfileAndSignedLinksInsideTls() throws Exception {
		HttpClient client = client();
		HttpResponse<byte[]> sent = client.send(HttpRequest.newBuilder(uri("/send?path=" + URLEncoder.encode(site.root().resolve("big.bin").toString(),
				StandardCharsets.UTF_8))).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(sent.statusCode()).isEqualTo(200);
		assertThat(sent.headers().firstValue("X-Sendfile")).isEmpty();
		assertThat(sent.body()).isEqualTo(site.big());
		HttpResponse<byte[]> signed = client.send(HttpRequest.newBuilder(uri(this.links.link("/big.bin"))).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(signed.statusCode()).isEqualTo(200);
		assertThat(signed.body()).isEqualTo(site.big());
	}

	@Test
	void aSlowHeadInsideTlsMeetsTheDeadline() throws Exception {
		try (RawConnection slow = RawConnection.open(trustAll().getSocketFactory(), this.port, 0)) {
			slow.write("GET /hello.txt HTTP/1.1\r\nHost: local");
			await().atMost(Duration.ofSeconds(10)).until(slow::isClosedByServer);
			assertThat(slow.received()).startsWith("HTTP/1.1 408 ");
		}
	}

	@Test
	void traceInsideTlsIsRefused() throws Exception {
		try (RawConnection client = RawConnection.open(trustAll().getSocketFactory(), this.port, 0)) {
			client.write("TRACE /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
			await().atMost(Duration.ofSeconds(10)).until(client::isClosedByServer);
			assertThat(client.received()).startsWith("HTTP/1.1 501 ").contains("connection: close");
		}
	}

	private URI uri(String path) {
		return URI.create("https://localhost:" + this.port + path);
	}

	private static HttpClient client() throws Exception {
		return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
	}

	private static SSLContext trustAll() throws Exception {
		TrustManager trustAll = new X509TrustManager() {

			@Override
			public void checkClientTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public void checkServerTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public X509Certificate[] getAcceptedIssuers() {
				return new X509Certificate[0];
			}

		};
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { trustAll }, new SecureRandom());
		return context;
	}

	private static Path createKeyStore() {
		try {
			Path dir = Files.createTempDirectory("server-tls");
			Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
			Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "test", "-keyalg", "EC",
					"-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
					"-storetype", "PKCS12", "-keystore", dir.resolve("keystore.p12").toString(), "-storepass",
					"changeit", "-keypass", "changeit")
				.redirectErrorStream(true)
				.start();
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("keytool failed: "
						+ new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
			}
			return dir;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
