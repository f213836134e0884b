package dev.lighttpdboot.uploadprogress;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A raw-socket upload the test paces itself: it writes a request head, then body pieces when the test says so, so
 * that the progress between pieces is exact. Several requests may follow on one connection (keep-alive).
 */
final class SlowUpload implements AutoCloseable {

	private final Socket socket;

	private final OutputStream out;

	private final InputStream in;

	private SlowUpload(Socket socket) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
		this.in = new BufferedInputStream(socket.getInputStream());
	}

	static SlowUpload connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(30_000);
		return new SlowUpload(socket);
	}

	/** Write a POST head with a Content-Length. */
	SlowUpload head(String target, long contentLength, String... headers) throws IOException {
		return rawHead(target, "Content-Length: " + contentLength + "\r\n", headers);
	}

	/** Write a POST head with chunked transfer coding. */
	SlowUpload chunkedHead(String target, String... headers) throws IOException {
		return rawHead(target, "Transfer-Encoding: chunked\r\n", headers);
	}

	private SlowUpload rawHead(String target, String framing, String... headers) throws IOException {
		StringBuilder head = new StringBuilder("POST ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n")
			.append("Content-Type: application/octet-stream\r\n").append(framing);
		for (String header : headers) {
			head.append(header).append("\r\n");
		}
		this.out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
		this.out.flush();
		return this;
	}

	/** Write {@code count} body bytes. */
	SlowUpload body(int count) throws IOException {
		byte[] block = new byte[Math.min(count, 64 * 1024)];
		Arrays.fill(block, (byte) 'x');
		int left = count;
		while (left > 0) {
			int n = Math.min(left, block.length);
			this.out.write(block, 0, n);
			left -= n;
		}
		this.out.flush();
		return this;
	}

	/** Write one chunk of {@code count} bytes (or the last chunk for 0). */
	SlowUpload chunk(int count) throws IOException {
		this.out.write((Integer.toHexString(count) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		if (count > 0) {
			body(count);
		}
		this.out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		this.out.flush();
		return this;
	}

	/**
	 * Read a whole response, with a Content-Length or chunked; return its status. Whole, as a real client does:
	 * a test that closes the connection after the head leaves before the response ended, which the server rightly
	 * counts as an aborted request (499).
	 */
	int status() throws IOException {
		String statusLine = line();
		long length = 0;
		boolean chunked = false;
		String header;
		while (!(header = line()).isEmpty()) {
			if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
				length = Long.parseLong(header.substring(15).trim());
			}
			else if (header.regionMatches(true, 0, "transfer-encoding:", 0, 18)
					&& header.substring(18).trim().equalsIgnoreCase("chunked")) {
				chunked = true;
			}
		}
		if (chunked) {
			readChunks();
		}
		else {
			this.in.readNBytes((int) length);
		}
		return Integer.parseInt(statusLine.split(" ")[1]);
	}

	private void readChunks() throws IOException {
		int size;
		while ((size = Integer.parseInt(line().split(";", 2)[0].trim(), 16)) > 0) {
			this.in.readNBytes(size);
			line();
		}
		// Trailers, up to the empty line that ends the response.
		while (!line().isEmpty()) {
			// Nothing to keep.
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int c;
		while ((c = this.in.read()) != -1 && c != '\n') {
			if (c != '\r') {
				line.write(c);
			}
		}
		if (c == -1 && line.size() == 0) {
			throw new IOException("connection closed");
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
