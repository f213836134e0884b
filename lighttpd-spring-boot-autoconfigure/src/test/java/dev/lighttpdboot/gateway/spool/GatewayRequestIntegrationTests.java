package dev.lighttpdboot.gateway.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.gateway.cgi.ScriptMatch;
import dev.lighttpdboot.gateway.cgi.ScriptResolution;
import dev.lighttpdboot.gateway.cgi.ScriptResolver;
import dev.lighttpdboot.test.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The request side of the gateway on a real Reactor Netty server: bodies spooled from the event loop (under
 * BlockHound), the environment built from Reactor Netty's request and headers.
 */
class GatewayRequestIntegrationTests {

	@TempDir
	Path directory;

	private FileSystemScheduler fileSystem;

	private DisposableServer server;

	private Path spoolDirectory;

	@BeforeEach
	void start() throws IOException {
		Path www = Files.createDirectories(this.directory.resolve("www"));
		Files.writeString(www.resolve("index.php"), "<?php");
		this.spoolDirectory = this.directory.resolve("spool");
		this.fileSystem = new FileSystemScheduler(2, 100);
		ScriptResolver resolver = ScriptResolver.forExtensions(List.of(".php"), FileRoot.open(www, false));
		RequestBodySpool spool = new RequestBodySpool(this.fileSystem, this.spoolDirectory);
		CgiEnvironment environment = new CgiEnvironment();
		HttpHandler handler = (request, response) -> {
			String rawPath = request.getURI().getRawPath();
			if (!(resolver.match(rawPath).orElse(null) instanceof ScriptMatch.Script found)) {
				response.setStatusCode(HttpStatus.NOT_FOUND);
				return response.setComplete();
			}
			ScriptResolution script = found.resolution();
			// On the event loop: a spooled body released here must leave the file work to the scheduler.
			boolean eventLoopMayBlock = SpoolFile.mayBlock();
			return resolver.scriptExists(request, script, StatCache.disabled(this.fileSystem))
				.flatMap((exists) -> spool.spool(request.getBody(), 10_000_000, 1024))
				.flatMap((body) -> DataBufferUtils.join(body.content(response.bufferFactory()))
					.map(GatewayRequestIntegrationTests::digest)
					.defaultIfEmpty("empty")
					.flatMap((digest) -> {
						StringBuilder text = new StringBuilder();
						environment.build(request, script, body.length())
							.forEach((entry) -> text.append(entry.getKey()).append('=').append(entry.getValue())
								.append('\n'));
						text.append("BODY_DIGEST=").append(digest).append('\n');
						text.append("SPOOLED_TO_FILE=").append(body.file().isPresent()).append('\n');
						text.append("EVENT_LOOP_MAY_BLOCK=").append(eventLoopMayBlock).append('\n');
						byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
						response.getHeaders().setContentLength(bytes.length);
						return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
					})
					.doFinally((signal) -> body.release()));
		};
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle(new ReactorHttpHandlerAdapter(handler))
			.bindNow();
	}

	@AfterEach
	void stop() throws IOException {
		this.server.disposeNow();
		this.fileSystem.dispose();
		FileSystemUtils.deleteRecursively(this.spoolDirectory);
	}

	@Test
	void chunkedUploadGetsItsExactLengthAndIsSpooledToAFile() throws IOException {
		byte[] body = new byte[200_000];
		new Random(1).nextBytes(body);
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.writeBytes(("POST /index.php/extra?x=1 HTTP/1.1\r\nHost: example.org:8080\r\nConnection: close\r\n"
				+ "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
			.getBytes(StandardCharsets.ISO_8859_1));
		for (int offset = 0; offset < body.length; offset += 30_000) {
			int count = Math.min(30_000, body.length - offset);
			request.writeBytes((Integer.toHexString(count) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			request.write(body, offset, count);
			request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		}
		request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
		RawHttp.Response response = new RawHttp(this.server.port()).send(request.toByteArray(), true);
		Map<String, String> env = parse(response);
		assertThat(env).containsEntry("CONTENT_LENGTH", "200000")
			.containsEntry("CONTENT_TYPE", "application/octet-stream")
			.containsEntry("BODY_DIGEST", digest(body))
			.containsEntry("SPOOLED_TO_FILE", "true")
			.containsEntry("EVENT_LOOP_MAY_BLOCK", "false")
			.containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
			.containsEntry("SERVER_NAME", "example.org")
			.containsEntry("SERVER_ADDR", "127.0.0.1")
			.containsEntry("SERVER_PORT", Integer.toString(this.server.port()))
			.containsEntry("REMOTE_ADDR", "127.0.0.1")
			.containsEntry("REQUEST_METHOD", "POST")
			.containsEntry("REQUEST_URI", "/index.php/extra?x=1")
			.containsEntry("SCRIPT_NAME", "/index.php")
			.containsEntry("PATH_INFO", "/extra")
			.doesNotContainKeys("HTTP_TRANSFER_ENCODING", "HTTP_CONTENT_TYPE");
		await().untilAsserted(() -> assertThat(spooledFiles()).isEmpty());
	}

	@Test
	void http10RequestWithAwkwardHeaders() throws IOException {
		String request = "GET /index.php HTTP/1.0\r\nHost: localhost\r\nProxy: http://evil:3128\r\n"
				+ "X_Forwarded_For: 6.6.6.6\r\nX-Forwarded-For: 192.0.2.1\r\nX-A: 1\r\nx-a: 2\r\n"
				+ "Cookie: a=1\r\nCookie: b=2\r\n\r\n";
		RawHttp.Response response = new RawHttp(this.server.port())
			.send(request.getBytes(StandardCharsets.ISO_8859_1), true);
		Map<String, String> env = parse(response);
		assertThat(env).containsEntry("SERVER_PROTOCOL", "HTTP/1.0")
			.containsEntry("CONTENT_LENGTH", "0")
			.containsEntry("BODY_DIGEST", "empty")
			.containsEntry("HTTP_X_FORWARDED_FOR", "192.0.2.1")
			.containsEntry("HTTP_X_A", "1, 2")
			.containsEntry("HTTP_COOKIE", "a=1; b=2")
			.doesNotContainKeys("HTTP_PROXY", "PATH_INFO");
	}

	private List<Path> spooledFiles() throws IOException {
		if (!Files.exists(this.spoolDirectory)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(this.spoolDirectory)) {
			return files.toList();
		}
	}

	private static Map<String, String> parse(RawHttp.Response response) {
		assertThat(response.status()).isEqualTo(200);
		Map<String, String> env = new LinkedHashMap<>();
		for (String line : new String(response.body(), StandardCharsets.ISO_8859_1).split("\n")) {
			int equals = line.indexOf('=');
			assertThat(env.put(line.substring(0, equals), line.substring(equals + 1))).as("duplicate " + line)
				.isNull();
		}
		return env;
	}

	private static String digest(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return digest(bytes);
	}

	private static String digest(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
