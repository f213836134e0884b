package dev.lighttpdboot.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.gateway.fastcgi.PhpScriptsAccess;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestSite;
import dev.lighttpdboot.test.peers.PhpFpm;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy route to a real php-fpm: CGI environment, bodies, statuses, streaming, faults.
 */
class GatewayRouteIntegrationTests extends RealServerTests {

	@RegisterExtension
	static final PhpFpm phpFpm = PhpFpm.onFreePort().children(4).maxRequests(20);

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		String root = phpFpm.documentRoot().toString();
		String php = "127.0.0.1:" + phpFpm.address().getPort();
		registry.add("lighttpd.gateway.routes[0].name", () -> "slow");
		registry.add("lighttpd.gateway.routes[0].path-prefix", () -> "/slow/");
		registry.add("lighttpd.gateway.routes[0].document-root", () -> root);
		registry.add("lighttpd.gateway.routes[0].read-timeout", () -> "500ms");
		registry.add("lighttpd.gateway.routes[0].backends[0].address", () -> php);
		registry.add("lighttpd.gateway.routes[1].name", () -> "down");
		registry.add("lighttpd.gateway.routes[1].path-prefix", () -> "/down/");
		registry.add("lighttpd.gateway.routes[1].document-root", () -> root);
		registry.add("lighttpd.gateway.routes[1].check-local", () -> "false");
		registry.add("lighttpd.gateway.routes[1].backends[0].address", () -> "127.0.0.1:" + unusedPort());
		registry.add("lighttpd.gateway.routes[2].name", () -> "php");
		registry.add("lighttpd.gateway.routes[2].extensions", () -> ".php");
		registry.add("lighttpd.gateway.routes[2].document-root", () -> root);
		registry.add("lighttpd.gateway.routes[2].allow-x-sendfile", () -> "true");
		registry.add("lighttpd.gateway.routes[2].max-request-size", () -> "8MB");
		registry.add("lighttpd.gateway.routes[2].request-buffer-in-memory", () -> "64KB");
		registry.add("lighttpd.gateway.routes[2].backends[0].address", () -> php);
	}

	@BeforeAll
	static void writeScripts() throws IOException {
		PhpScriptsAccess.writeTo(phpFpm.documentRoot());
		Files.createDirectories(phpFpm.documentRoot().resolve("slow"));
		Files.writeString(phpFpm.documentRoot().resolve("slow/slow.php"), "<?php sleep(3); echo 'late';\n");
		Files.writeString(phpFpm.documentRoot().resolve("slow/leaky.php"),
				"<?php header('X-Sendfile: /etc/passwd'); header('X-Accel-Redirect: /internal/x');"
						+ " header('X-LIGHTTPD-send-file: /etc/passwd'); header('X-Lighttpd-Other: secret');"
						+ " header('X-Kept: yes'); echo 'body';\n");
		Files.writeString(phpFpm.documentRoot().resolve("flushed.php"),
				"<?php while (ob_get_level() > 0) { ob_end_flush(); } echo 'first'; flush(); usleep(300000);"
						+ " echo 'second';\n");
	}

	@Test
	void anAnswerThatCameWholeIsFramedByItsLengthAndOneStillComingIsChunked() throws Exception {
		RawHttp.Response whole = raw().get("/hello.php?name=framed");
		assertThat(whole.status()).isEqualTo(200);
		assertThat(whole.header("transfer-encoding")).isNull();
		assertThat(whole.header("content-length")).isEqualTo(String.valueOf(whole.body().length));
		assertThat(whole.bodyText()).startsWith("Hello framed GET /hello.php");
		// The head arrives long before the end: it goes on at once, and the body in chunks as it comes.
		RawHttp.Response flushed = raw().get("/flushed.php");
		assertThat(flushed.status()).isEqualTo(200);
		assertThat(flushed.header("content-length")).isNull();
		assertThat(flushed.header("transfer-encoding")).isEqualTo("chunked");
		assertThat(flushed.bodyText()).isEqualTo("firstsecond");
	}

	@Test
	void aRouteWithoutXSendfileSendsNoneOfItsHeadersOn() throws Exception {
		RawHttp.Response response = raw().get("/slow/leaky.php");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.bodyText()).isEqualTo("body");
		assertThat(response.header("x-kept")).isEqualTo("yes");
		assertThat(response.headers().keySet()).noneMatch((name) -> name.startsWith("x-sendfile")
				|| name.startsWith("x-lighttpd") || name.equals("x-accel-redirect"));
	}

	@Test
	void getWithQueryCookiesAndHeaders() {
		EntityExchangeResult<String> result = get("/hello.php?name=route").header(HttpHeaders.USER_AGENT, "route-test")
			.header("Proxy", "http://evil.example").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Test", "yes")
			.expectHeader().values(HttpHeaders.SET_COOKIE, (cookies) -> assertThat(cookies).containsExactly("a=1", "b=2"))
			.expectBody(String.class).returnResult();
		assertThat(result.getResponseBody()).startsWith("Hello route GET /hello.php pi= len=0 ")
			.contains("agent=route-test")
			.contains("proxy=\n");
	}

	@Test
	void scriptNameAndPathInfoAreSplitAsLighttpdDoes() {
		get("/app/index.php/extra/path?q=1").exchange().expectStatus().isOk().expectBody(String.class)
			.isEqualTo("/app/index.php|/extra/path|/app/index.php/extra/path?q=1");
	}

	@Test
	void postsWithContentLength() throws Exception {
		byte[] body = randomBytes(5 * 1024 * 1024);
		this.client.post().uri(URI.create(base() + "/hello.php")).contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(body).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((text) -> assertThat(text).contains("len=" + body.length)
				.contains("sha=" + sha256(body)));
	}

	@Test
	void postsChunked() throws Exception {
		byte[] body = randomBytes(3 * 1024 * 1024 + 17);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(20_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /hello.php HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
					+ "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			for (int offset = 0; offset < body.length; offset += 100_000) {
				int length = Math.min(100_000, body.length - offset);
				out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
				out.write(body, offset, length);
				out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			assertThat(response).startsWith("HTTP/1.1 200").contains("len=" + body.length)
				.contains("sha=" + sha256(body));
		}
	}

	@Test
	void bodiesOverTheLimitAre413() throws Exception {
		RawHttp.Response response = raw().exchange("POST", "/hello.php",
				"Content-Length: " + (9 * 1024 * 1024) + "\r\n");
		assertThat(response.status()).isEqualTo(413);
	}

	@Test
	void missingScriptsAre404WithoutAskingPhp() {
		get("/nowhere.php").exchange().expectStatus().isNotFound().expectBody(String.class)
			.value((text) -> assertThat(text).doesNotContain("File not found."));
	}

	@Test
	void statusAndRedirectsFromTheScript() {
		get("/status.php?code=418").exchange().expectStatus().isEqualTo(418).expectBody(String.class)
			.isEqualTo("status body");
		get("/status.php?loc=/elsewhere").exchange().expectStatus().isEqualTo(HttpStatus.FOUND)
			.expectHeader().valueEquals(HttpHeaders.LOCATION, "/elsewhere")
			.expectBody().returnResult();
	}

	@Test
	void fatalErrorsAre500() {
		get("/fatal.php").exchange().expectStatus().isEqualTo(500).expectBody().returnResult();
	}

	@Test
	void headGetsNoBody() throws Exception {
		RawHttp.Response response = raw().exchange("HEAD", "/hello.php", "");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEmpty();
	}

	@Test
	void streamsTwentyMegabytes() throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(20_000);
			socket.getOutputStream()
				.write("GET /big.php?mb=20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			long total = 0;
			byte[] chunk = new byte[65536];
			int read;
			while ((read = in.read(chunk)) != -1) {
				total += read;
			}
			// 20 MiB of body plus the head and chunk framing.
			assertThat(total).isBetween(20L * 1024 * 1024, 20L * 1024 * 1024 + 64 * 1024);
		}
	}

	@Test
	void aGigabyteStreamsThroughBoundedMemory() throws Exception {
		// A buffered response keeps at most 64 KiB in memory and the rest in a file, so what is in memory stays
		// small: watch Netty's pooled memory (where every buffer of the exchange lives) while 1 GiB passes through.
		ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
			.metric();
		// What the allocator holds already (other servers of this JVM's test contexts included) is not this response's.
		long before = metric.usedDirectMemory() + metric.usedHeapMemory();
		AtomicLong peak = new AtomicLong(before);
		ScheduledExecutorService sampler = Executors
			.newSingleThreadScheduledExecutor();
		sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(metric.usedDirectMemory() + metric.usedHeapMemory(),
				Math::max), 0, 20, TimeUnit.MILLISECONDS);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(30_000);
			socket.getOutputStream()
				.write("GET /big.php?mb=1024 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			long total = 0;
			byte[] chunk = new byte[256 * 1024];
			int read;
			while ((read = in.read(chunk)) != -1) {
				total += read;
			}
			assertThat(total).isGreaterThan(1024L * 1024 * 1024);
		}
		finally {
			sampler.shutdownNow();
		}
		// The allocator grows in chunks of a few MiB; the bound leaves room for the server's other work, and is far
		// below what buffering the response would take.
		assertThat(peak.get() - before).as("growth of the allocator's memory").isLessThan(64L * 1024 * 1024);
	}

	@Test
	void phpMayAnswerWithXSendfile() {
		String path = TestSite.shared().root().resolve("hello.txt").toString();
		get("/sendfile.php?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)).exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Sendfile")
			.expectBody(String.class).isEqualTo(TestSite.HELLO);
	}

	@Test
	void aBackendThatIsDownIs503Quickly() throws Exception {
		long start = System.nanoTime();
		RawHttp.Response response = raw().get("/down/anything.php");
		assertThat(response.status()).isEqualTo(503);
		assertThat(response.header("retry-after")).isEqualTo("1");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void aSilentBackendIs504() throws Exception {
		RawHttp.Response response = raw().get("/slow/slow.php");
		assertThat(response.status()).isEqualTo(504);
	}

	@Test
	void requestsAndStderrAreCounted() {
		get("/status.php?code=200").exchange().expectStatus().isOk().expectBody().returnResult();
		Awaitility.await().untilAsserted(() -> {
			assertThat(this.meters.get("lighttpd.gateway.requests").tag("pool", "php").tag("protocol", "fastcgi")
				.tag("outcome", "ok").timer().count()).isPositive();
			assertThat(this.meters.get("lighttpd.gateway.stderr").tag("pool", "php").tag("protocol", "fastcgi")
				.counter().count()).isPositive();
		});
	}

	@Autowired
	MeterRegistry meters;

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
