package dev.lighttpdboot.sendfile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import reactor.core.publisher.Mono;

import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * X-Sendfile answers for application handlers, built from a {@link Path}: the header value is percent-encoded here
 * (a file named {@code 100% done.pdf} becomes {@code 100%25%20done.pdf}), so a file name never turns into a
 * malformed header. The server then sends the file itself, with ranges and conditional requests, under
 * {@code lighttpd.sendfile.allowed-roots}.
 * <pre class="code">
 * // A controller
 * &#64;GetMapping("/reports/{id}")
 * ResponseEntity&lt;Void&gt; report(&#64;PathVariable String id) {
 *     return SendfileResponses.entity(reports.pathOf(id));
 * }
 *
 * // A functional endpoint
 * route().GET("/reports/{id}", (request) -&gt; SendfileResponses.serverResponse(reports.pathOf(request.pathVariable("id"))))
 * </pre>
 * The builders take further headers (Content-Disposition, Cache-Control); validators and the content type come
 * from the file.
 */
public final class SendfileResponses {

	/** The header these answers carry. */
	public static final String HEADER = "X-Sendfile";

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private SendfileResponses() {
	}

	/**
	 * Return the X-Sendfile header value for {@code file}: its path as UTF-8, every byte but unreserved characters
	 * and {@code /} percent-encoded. A relative path stays relative (the server resolves it against the first
	 * allowed root).
	 * @param file the file to send
	 * @return the header value
	 */
	public static String headerValue(Path file) {
		String path = file.toString();
		if (path.isEmpty()) {
			throw new IllegalArgumentException("An empty path names no file");
		}
		byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
		StringBuilder value = new StringBuilder(bytes.length + 16);
		for (byte b : bytes) {
			int c = b & 0xff;
			if (unreserved(c) || c == '/') {
				value.append((char) c);
			}
			else {
				value.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
			}
		}
		return value.toString();
	}

	/**
	 * Return a 200 answer for a controller that has the server send {@code file}.
	 * @param file the file to send
	 * @return the answer, without a body
	 */
	public static ResponseEntity<Void> entity(Path file) {
		return entityBuilder(file).build();
	}

	/**
	 * Return a 200 answer under construction for a controller, carrying X-Sendfile for {@code file}, to add headers
	 * to.
	 * @param file the file to send
	 * @return the builder
	 */
	public static ResponseEntity.BodyBuilder entityBuilder(Path file) {
		return ResponseEntity.ok().header(HEADER, headerValue(file));
	}

	/**
	 * Return a 200 answer for a functional endpoint that has the server send {@code file}.
	 * @param file the file to send
	 * @return the answer, without a body
	 */
	public static Mono<ServerResponse> serverResponse(Path file) {
		return serverResponseBuilder(file).build();
	}

	/**
	 * Return a 200 answer under construction for a functional endpoint, carrying X-Sendfile for {@code file}, to add
	 * headers to.
	 * @param file the file to send
	 * @return the builder
	 */
	public static ServerResponse.BodyBuilder serverResponseBuilder(Path file) {
		return ServerResponse.ok().header(HEADER, headerValue(file));
	}

	private static boolean unreserved(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				|| c == '_' || c == '~';
	}

}
