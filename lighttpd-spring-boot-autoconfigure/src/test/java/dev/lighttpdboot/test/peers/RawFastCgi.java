package dev.lighttpdboot.test.peers;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb FastCGI client, written from the specification and independent of the production codec, so
 * that the peers are proven to work before that codec is tested against them: one RESPONDER request per
 * connection, the parameters in one PARAMS record, the body in STDIN records, then everything read up to
 * END_REQUEST. Each record header and each record content is a separate unbuffered write, so peers also see
 * records split across reads, as from a client that flushes record by record.
 */
final class RawFastCgi {

	private static final int BEGIN_REQUEST = 1;

	private static final int END_REQUEST = 3;

	private static final int PARAMS = 4;

	private static final int STDIN = 5;

	private static final int STDOUT = 6;

	private static final int STDERR = 7;

	private static final int REQUEST_ID = 1;

	private RawFastCgi() {
	}

	/** What came back: the STDOUT and STDERR streams, and the END_REQUEST body. */
	record Response(byte[] stdout, String stderr, int appStatus, int protocolStatus) {

		/** The CGI header block at the start of STDOUT, by lower-case name. */
		Map<String, String> headers() {
			Map<String, String> headers = new LinkedHashMap<>();
			String text = new String(this.stdout, 0, headerEnd(), StandardCharsets.ISO_8859_1);
			for (String line : text.split("\r?\n")) {
				int colon = line.indexOf(':');
				if (colon > 0) {
					headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
				}
			}
			return headers;
		}

		byte[] body() {
			int end = headerEnd();
			int separator = (end + 3 < this.stdout.length && this.stdout[end] == '\r') ? 4 : 2;
			return Arrays.copyOfRange(this.stdout, end + separator, this.stdout.length);
		}

		String bodyText() {
			return new String(body(), StandardCharsets.UTF_8);
		}

		private int headerEnd() {
			for (int i = 0; i + 1 < this.stdout.length; i++) {
				if (this.stdout[i] == '\n' && this.stdout[i + 1] == '\n') {
					return i;
				}
				if (i + 3 < this.stdout.length && this.stdout[i] == '\r' && this.stdout[i + 1] == '\n'
						&& this.stdout[i + 2] == '\r' && this.stdout[i + 3] == '\n') {
					return i;
				}
			}
			throw new IllegalStateException("no end of headers in " + this.stdout.length + " bytes of STDOUT");
		}

	}

	/**
	 * The parameters a web server sends for {@code method scriptName+pathInfo?query}, as nginx's
	 * {@code fastcgi_params} would, plus {@code SCRIPT_FILENAME} when {@code scriptFilename} is not null.
	 */
	static Map<String, String> params(String method, String scriptName, String pathInfo, String query,
			String scriptFilename, int contentLength) {
		Map<String, String> params = new LinkedHashMap<>();
		params.put("GATEWAY_INTERFACE", "CGI/1.1");
		params.put("SERVER_PROTOCOL", "HTTP/1.1");
		params.put("SERVER_NAME", "localhost");
		params.put("SERVER_PORT", "80");
		params.put("REMOTE_ADDR", "127.0.0.1");
		params.put("REQUEST_METHOD", method);
		params.put("SCRIPT_NAME", scriptName);
		params.put("PATH_INFO", pathInfo);
		params.put("DOCUMENT_URI", scriptName + pathInfo);
		params.put("REQUEST_URI", scriptName + pathInfo + (query.isEmpty() ? "" : "?" + query));
		params.put("QUERY_STRING", query);
		if (scriptFilename != null) {
			params.put("SCRIPT_FILENAME", scriptFilename);
		}
		if (contentLength > 0) {
			params.put("CONTENT_LENGTH", String.valueOf(contentLength));
			params.put("CONTENT_TYPE", "application/octet-stream");
		}
		params.put("HTTP_HOST", "localhost");
		return params;
	}

	static Response exchange(InetSocketAddress address, Map<String, String> params, byte[] body) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(address, 5000);
			socket.setSoTimeout(10_000);
			DataOutputStream out = new DataOutputStream(socket.getOutputStream());
			// role RESPONDER (1), flags 0: the peer closes the connection after END_REQUEST
			record(out, BEGIN_REQUEST, new byte[] { 0, 1, 0, 0, 0, 0, 0, 0 }, 0, 8);
			byte[] encoded = encode(params);
			record(out, PARAMS, encoded, 0, encoded.length);
			record(out, PARAMS, new byte[0], 0, 0);
			for (int offset = 0; offset < body.length; offset += 32768) {
				record(out, STDIN, body, offset, Math.min(32768, body.length - offset));
			}
			record(out, STDIN, new byte[0], 0, 0);
			out.flush();
			return read(new DataInputStream(socket.getInputStream()));
		}
	}

	private static Response read(DataInputStream in) throws IOException {
		ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		ByteArrayOutputStream stderr = new ByteArrayOutputStream();
		while (true) {
			int version = in.readUnsignedByte();
			int type = in.readUnsignedByte();
			int requestId = in.readUnsignedShort();
			int length = in.readUnsignedShort();
			int padding = in.readUnsignedByte();
			in.readUnsignedByte();
			byte[] content = in.readNBytes(length);
			in.readNBytes(padding);
			if (version != 1 || requestId != REQUEST_ID || content.length != length) {
				throw new IOException("unexpected record: version " + version + ", id " + requestId + ", type " + type);
			}
			switch (type) {
				case STDOUT -> stdout.write(content);
				case STDERR -> stderr.write(content);
				case END_REQUEST -> {
					int appStatus = ((content[0] & 0xff) << 24) | ((content[1] & 0xff) << 16)
							| ((content[2] & 0xff) << 8) | (content[3] & 0xff);
					return new Response(stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8), appStatus,
							content[4]);
				}
				default -> throw new IOException("unexpected record type " + type);
			}
		}
	}

	private static byte[] encode(Map<String, String> params) throws IOException {
		ByteArrayOutputStream encoded = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(encoded);
		for (Map.Entry<String, String> param : params.entrySet()) {
			byte[] name = param.getKey().getBytes(StandardCharsets.UTF_8);
			byte[] value = param.getValue().getBytes(StandardCharsets.UTF_8);
			length(out, name.length);
			length(out, value.length);
			out.write(name);
			out.write(value);
		}
		if (encoded.size() > 65535) {
			throw new IllegalArgumentException("the parameters do not fit in one PARAMS record");
		}
		return encoded.toByteArray();
	}

	private static void length(DataOutputStream out, int length) throws IOException {
		if (length < 128) {
			out.writeByte(length);
		}
		else {
			out.writeInt(length | 0x80000000);
		}
	}

	private static void record(OutputStream out, int type, byte[] content, int offset, int length) throws IOException {
		out.write(new byte[] { 1, (byte) type, 0, REQUEST_ID, (byte) (length >> 8), (byte) length, 0, 0 });
		out.write(content, offset, length);
	}

}
