package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.ajp.AbstractAjpProtocol;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

/**
 * Tomcat in this JVM with only an AJP connector (no HTTP one) on a loopback port, with or without its
 * {@code secret}, and one servlet (tomcat-embed-core, a test dependency: no Debian package, so tests against it
 * never skip). Registered on a static {@code @RegisterExtension} field it lives for the test class; on an instance
 * field, for one test.
 * <p>The servlet answers every method and path with a JSON object (sorted keys) of what it saw:
 * {@code method}, {@code requestUri} (as received, still encoded), {@code pathInfo} (decoded), {@code query},
 * {@code protocol}, {@code headers} (names in lower case), {@code remoteAddr}, {@code remotePort},
 * {@code localAddr}, {@code serverName}, {@code serverPort}, {@code secure}, {@code scheme}, {@code bodyLength}
 * and {@code bodySha256}. {@code ?status=N} sets the status; {@code ?stream=N} answers N bytes of
 * {@link Echo#streamed(int)} in flushed 64 KiB pieces instead; {@code ?sendfile=PATH} answers with only an
 * {@code X-Sendfile: PATH} header. {@code /hello} answers "Hello, World!" (the benchmark's page).
 * <p>{@link #main} runs it on its own for the benchmark: {@code java -cp <test classpath>
 * dev.lighttpdboot.test.peers.TomcatAjp PORT}.
 */
public final class TomcatAjp implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String secret;

	private final int requestedPort;

	private Tomcat tomcat;

	private Connector connector;

	private Path baseDirectory;

	private int port;

	private boolean startedForOneTest;

	private TomcatAjp(String secret, int port) {
		this.secret = secret;
		this.requestedPort = port;
	}

	/** Tomcat without a secret ({@code secretRequired=false}) on a free port. */
	public static TomcatAjp onFreePort() {
		return new TomcatAjp(null, 0);
	}

	/** Tomcat requiring a secret on a free port. */
	public static TomcatAjp withSecret(String secret) {
		return new TomcatAjp(secret, 0);
	}

	/** Run Tomcat's AJP connector on a port until the JVM is stopped (the benchmark's backend). */
	public static void main(String[] args) throws InterruptedException {
		TomcatAjp tomcat = new TomcatAjp(null, Integer.parseInt(args[0]));
		tomcat.start();
		System.out.println("Tomcat AJP on " + tomcat.address());
		tomcat.tomcat.getServer().await();
	}

	/** Start Tomcat; its connector accepts connections when this returns. A restart keeps the port. */
	public void start() {
		if (isStarted()) {
			throw new IllegalStateException("Tomcat is already running");
		}
		try {
			this.baseDirectory = Files.createTempDirectory("lighttpd-tomcat-ajp-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.tomcat = new Tomcat();
		this.tomcat.setBaseDir(this.baseDirectory.toString());
		this.connector = new Connector("AJP/1.3");
		this.connector.setPort((this.port != 0) ? this.port : this.requestedPort);
		AbstractAjpProtocol<?> ajp = (AbstractAjpProtocol<?>) this.connector.getProtocolHandler();
		ajp.setAddress(InetAddress.getLoopbackAddress());
		ajp.setSecretRequired(this.secret != null);
		if (this.secret != null) {
			ajp.setSecret(this.secret);
		}
		// Setting the connector keeps Tomcat from adding its default HTTP one.
		this.tomcat.setConnector(this.connector);
		Context context = this.tomcat.addContext("", this.baseDirectory.toString());
		Tomcat.addServlet(context, "echo", new EchoServlet());
		context.addServletMappingDecoded("/*", "echo");
		try {
			this.tomcat.start();
		}
		catch (LifecycleException ex) {
			stop();
			throw new IllegalStateException("Tomcat did not start", ex);
		}
		this.port = this.connector.getLocalPort();
		if (this.port <= 0) {
			stop();
			throw new IllegalStateException("Tomcat's AJP connector did not bind");
		}
	}

	/** Stop Tomcat and delete its directory; does nothing if it is not running. */
	public void stop() {
		if (this.tomcat == null) {
			return;
		}
		try {
			this.tomcat.stop();
			this.tomcat.destroy();
		}
		catch (LifecycleException ex) {
			throw new IllegalStateException("Tomcat did not stop", ex);
		}
		finally {
			this.tomcat = null;
			this.connector = null;
			FileSystemUtils.deleteRecursively(this.baseDirectory.toFile());
		}
	}

	/** Whether {@link #start()} was called and {@link #stop()} not since. */
	public boolean isStarted() {
		return this.tomcat != null;
	}

	/** Where the AJP connector listens, on the loopback address. */
	public InetSocketAddress address() {
		if (this.port == 0) {
			throw new IllegalStateException("Tomcat has not been started");
		}
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port);
	}

	/** Return {@code host:port} for a backend's address property. */
	public String backendAddress() {
		return address().getAddress().getHostAddress() + ":" + address().getPort();
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		start();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (!isStarted()) {
			this.startedForOneTest = true;
			start();
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.startedForOneTest) {
			this.startedForOneTest = false;
			stop();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		stop();
	}

	private static final class EchoServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			if ("/hello".equals(request.getRequestURI())) {
				byte[] hello = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
				response.setContentType("text/plain");
				response.setContentLength(hello.length);
				response.getOutputStream().write(hello);
				return;
			}
			String status = queryParameter(request, "status");
			if (status != null) {
				response.setStatus(Integer.parseInt(status));
			}
			String sendfile = queryParameter(request, "sendfile");
			if (sendfile != null) {
				response.setHeader("X-Sendfile", sendfile);
				return;
			}
			String stream = queryParameter(request, "stream");
			if (stream != null) {
				stream(Integer.parseInt(stream), response);
				return;
			}
			echo(request, response);
		}

		/** Read from the query only: getParameter would read a form body, which the echo must count itself. */
		private static String queryParameter(HttpServletRequest request, String name) {
			String query = request.getQueryString();
			if (query == null) {
				return null;
			}
			for (String pair : query.split("&")) {
				if (pair.startsWith(name + "=")) {
					return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
				}
			}
			return null;
		}

		private static void stream(int length, HttpServletResponse response) throws IOException {
			byte[] bytes = Echo.streamed(length);
			response.setContentType("application/octet-stream");
			OutputStream out = response.getOutputStream();
			for (int offset = 0; offset < length; offset += Echo.PIECE) {
				out.write(bytes, offset, Math.min(Echo.PIECE, length - offset));
				out.flush();
			}
		}

		private static void echo(HttpServletRequest request, HttpServletResponse response) throws IOException {
			MessageDigest sha256;
			try {
				sha256 = MessageDigest.getInstance("SHA-256");
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
			long length = 0;
			byte[] buffer = new byte[8192];
			try (InputStream in = request.getInputStream()) {
				for (int read; (read = in.read(buffer)) >= 0;) {
					sha256.update(buffer, 0, read);
					length += read;
				}
			}
			Map<String, Object> headers = new TreeMap<>();
			for (String name : Collections.list(request.getHeaderNames())) {
				headers.put(name.toLowerCase(java.util.Locale.ROOT), request.getHeader(name));
			}
			Map<String, Object> echo = new TreeMap<>();
			echo.put("method", request.getMethod());
			echo.put("requestUri", request.getRequestURI());
			echo.put("pathInfo", request.getPathInfo());
			echo.put("query", request.getQueryString());
			echo.put("protocol", request.getProtocol());
			echo.put("headers", headers);
			echo.put("remoteAddr", request.getRemoteAddr());
			echo.put("remotePort", request.getRemotePort());
			echo.put("localAddr", request.getLocalAddr());
			echo.put("serverName", request.getServerName());
			echo.put("serverPort", request.getServerPort());
			echo.put("secure", request.isSecure());
			echo.put("scheme", request.getScheme());
			echo.put("bodyLength", length);
			echo.put("bodySha256", HexFormat.of().formatHex(sha256.digest()));
			response.setContentType("application/json");
			response.getOutputStream().write(JSON.writeValueAsBytes(echo));
		}

	}

}
