package dev.lighttpdboot.test.peers;

import java.util.List;

/**
 * What the echo peers ({@link Uwsgi}'s {@code echo_app.py} and {@link JettyFastCgi}) answer, so that a test can
 * check what its FastCGI client sent. The body is a JSON object with sorted keys:
 * <ul>
 * <li>{@code method}: {@code REQUEST_METHOD}</li>
 * <li>{@code path}: {@code SCRIPT_NAME} + {@code PATH_INFO}</li>
 * <li>{@code query}: {@code QUERY_STRING}</li>
 * <li>{@code cgi}: those of {@link #CGI_VARIABLES} that were sent</li>
 * <li>{@code headers}: every {@code HTTP_*} variable</li>
 * <li>{@code bodyLength}, {@code bodySha256}: of the request body (hex, lower case)</li>
 * </ul>
 * {@code ?status=N} sets the response status. {@code ?stream=N} answers with N bytes of {@link #streamed(int)}
 * instead, without Content-Length, written in 64 KiB pieces.
 */
public final class Echo {

	/** The CGI variables echoed under {@code cgi}. */
	public static final List<String> CGI_VARIABLES = List.of("SCRIPT_NAME", "PATH_INFO", "REQUEST_URI",
			"DOCUMENT_URI", "CONTENT_LENGTH", "CONTENT_TYPE", "SERVER_PROTOCOL");

	/** The size of the pieces {@code ?stream=N} writes: a multiple of 256, so every piece starts at byte 0. */
	static final int PIECE = 65536;

	private Echo() {
	}

	/** The body of {@code ?stream=length}: the bytes 0 to 255, repeated. */
	public static byte[] streamed(int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) i;
		}
		return bytes;
	}

}
