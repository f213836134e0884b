package dev.lighttpdboot.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.assertj.core.api.Assertions;

/**
 * A deliberately dumb HTTP/1.1 client: it writes the request target exactly as given (no normalisation, no
 * encoding, unlike WebTestClient) on a fresh socket with {@code Connection: close}, and reads the whole answer.
 */
public final class RawHttp {

	private final int port;

	public RawHttp(int port) {
		this.port = port;
	}

	/** A parsed response. */
	public record Response(int status, Map<String, String> headers, byte[] body) {

		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

		public String bodyText() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

		/**
		 * Assert that the body carries nothing that must stay on the server: the test site's secret, a system
		 * file, an exception or a stack trace.
		 */
		public void assertRevealsNothing(String description) {
			Assertions.assertThat(new String(this.body, StandardCharsets.ISO_8859_1))
				.as(description)
				.doesNotContain(TestSite.SECRET)
				.doesNotContain("root:x:0:0")
				.doesNotContainIgnoringCase("exception")
				.doesNotContain("\tat ");
		}

	}

	public Response get(String target) throws IOException {
		return exchange("GET", target, "");
	}

	public Response exchange(String method, String target, String extraHeaders) throws IOException {
		String request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + extraHeaders
				+ "\r\n";
		return send(request.getBytes(StandardCharsets.ISO_8859_1), !method.equals("HEAD"));
	}

	public Response send(byte[] request, boolean expectBody) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request);
			out.flush();
			byte[] all = socket.getInputStream().readAllBytes();
			return parse(all, expectBody);
		}
	}

	/**
	 * Open a persistent connection, for several requests in turn (keep-alive).
	 */
	public Connection open() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
		socket.setSoTimeout(10_000);
		return new Connection(socket);
	}

	/** A keep-alive connection that reads each response by its Content-Length. */
	public static final class Connection implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		Connection(Socket socket) throws IOException {
			this.socket = socket;
			this.in = new BufferedInputStream(socket.getInputStream());
		}

		public Response exchange(String method, String target, String extraHeaders) throws IOException {
			String request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n";
			this.socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			return read(method);
		}

		/**
		 * Send several GET requests in one write (pipelined), then read their responses in turn.
		 */
		public List<Response> pipeline(byte[] requests, int count) throws IOException {
			this.socket.getOutputStream().write(requests);
			List<Response> responses = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				responses.add(read("GET"));
			}
			return responses;
		}

		private Response read(String method) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			String line;
			while (!(line = readLine(this.in)).isEmpty()) {
				head.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			}
			head.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
			Response headers = parse(head.toByteArray(), false);
			String length = headers.header("content-length");
			if (!method.equals("HEAD") && headers.status() != 304 && length == null
					&& "chunked".equalsIgnoreCase(headers.header("transfer-encoding"))) {
				return new Response(headers.status(), headers.headers(), readChunks());
			}
			boolean bodyless = method.equals("HEAD") || headers.status() == 304 || length == null;
			byte[] body = bodyless ? new byte[0] : this.in.readNBytes(Integer.parseInt(length));
			return new Response(headers.status(), headers.headers(), body);
		}

		/** Read a chunked body to its last chunk (trailers are skipped). */
		private byte[] readChunks() throws IOException {
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			int size;
			while ((size = Integer.parseInt(readLine(this.in).split(";")[0].trim(), 16)) > 0) {
				body.writeBytes(this.in.readNBytes(size));
				readLine(this.in);
			}
			while (!readLine(this.in).isEmpty()) {
				// trailer fields
			}
			return body.toByteArray();
		}

		public boolean isClosedByPeer() throws IOException {
			return this.in.read() == -1;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	private static Response parse(byte[] all, boolean expectBody) throws IOException {
		int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
		if (end < 0) {
			throw new IOException("no complete header block in " + all.length + " bytes");
		}
		String head = new String(all, 0, end, StandardCharsets.ISO_8859_1);
		String[] lines = head.split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
					lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
		}
		byte[] rest = Arrays.copyOfRange(all, end + 4, all.length);
		byte[] body = (expectBody && "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) ? dechunk(rest) : rest;
		return new Response(status, headers, body);
	}

	private static byte[] dechunk(byte[] data) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		InputStream in = new ByteArrayInputStream(data);
		while (true) {
			String sizeLine = readLine(in);
			int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
			if (size == 0) {
				return out.toByteArray();
			}
			out.write(in.readNBytes(size));
			readLine(in);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != -1 && c != '\n') {
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}

	private static int indexOf(byte[] data, byte[] pattern) {
		outer: for (int i = 0; i <= data.length - pattern.length; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (data[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
