package dev.lighttpdboot.gateway.cgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * Reads the head of a CGI-style response (the start of FastCGI STDOUT, or of an SCGI or uwsgi response) from
 * buffers as they arrive, however the bytes are split.
 * <p>The head ends with an empty line; lines end with CRLF or a bare LF, mixed freely (lighttpd and nginx accept
 * both). The status follows the rule of lighttpd's gateways, nginx and HAProxy: a {@code Status:} header
 * ({@code 404} or {@code 404 Not Found}; the reason phrase is not kept), else 302 when there is a
 * {@code Location}, else 200. A first line {@code HTTP/1.1 200 OK} (uwsgi's NPH sockets, php's
 * {@code cgi.rfc2616_headers}) sets the status too; a later {@code Status:} header wins, as the last one does
 * in nginx. A {@code Location} naming a local path is not followed: the client gets the redirect, as from
 * lighttpd's FastCGI, SCGI and proxy modules (only its mod_cgi redirects internally).
 * <p>Refused with {@link InvalidCgiResponseException} (502), rather than guessed at, because a proxy that
 * repairs a head differently from the next proxy opens the door to response splitting: lines without a colon
 * (lighttpd verified), an empty or non-token header name or whitespace before the colon, obsolete line folding,
 * control characters in values, a status that is not three digits or is below 200 (1xx interim responses are
 * not supported), and Content-Length values that are not numbers or disagree (equal repeats are merged).
 * A head longer than the limit fails with {@link CgiResponseHeadTooLargeException}. Other headers, hop-by-hop
 * ones included, are kept as sent, each line one value ({@code Set-Cookie} lines stay separate); what to pass to
 * the client is the response writer's business.
 * <p>Buffers: {@link #feed} takes ownership of each buffer. It copies head bytes into its own array and releases
 * the buffer, except the one that completes the head, which it hands back positioned at the first body byte.
 * The parser holds no buffer between calls, so abandoning it leaks nothing.
 */
public final class CgiResponseHeadParser {

	private final int maxHeadSize;

	private byte[] head = new byte[256];

	private int headLength;

	private int lineLength;

	private boolean finished;

	/**
	 * Create a parser for one response.
	 * @param maxHeadSize the most bytes the head may have, empty line included
	 */
	public CgiResponseHeadParser(int maxHeadSize) {
		if (maxHeadSize < 2) {
			throw new IllegalArgumentException("maxHeadSize must be at least 2");
		}
		this.maxHeadSize = maxHeadSize;
	}

	/**
	 * Feed the next bytes of the response.
	 * @param buffer the bytes; this parser takes ownership
	 * @return empty while the head is incomplete (the buffer has been released); once it is complete, the head
	 * and the same buffer, now holding only body bytes (possibly none), which the caller owns
	 * @throws InvalidCgiResponseException if the head is invalid or too large (the buffer has been released)
	 * @throws IllegalStateException if the head was already complete
	 */
	public Optional<Parsed> feed(DataBuffer buffer) {
		boolean handedOver = false;
		try {
			if (this.finished) {
				throw new IllegalStateException("response head already parsed");
			}
			int bodyStart = scan(buffer);
			if (bodyStart < 0) {
				return Optional.empty();
			}
			this.finished = true;
			CgiResponseHead result = parse();
			buffer.readPosition(bodyStart);
			handedOver = true;
			return Optional.of(new Parsed(result, buffer));
		}
		finally {
			if (!handedOver) {
				DataBufferUtils.release(buffer);
			}
		}
	}

	/**
	 * Copy head bytes from a buffer, a line at a time; return the index just after the empty line, or -1 if it
	 * was not found.
	 */
	private int scan(DataBuffer buffer) {
		int position = buffer.readPosition();
		int end = buffer.writePosition();
		while (position < end) {
			int newline = buffer.indexOf((b) -> b == '\n', position);
			int stop = (newline >= 0) ? newline + 1 : end;
			int count = stop - position;
			if (count > this.maxHeadSize - this.headLength) {
				this.finished = true;
				throw new CgiResponseHeadTooLargeException(this.maxHeadSize);
			}
			ensureCapacity(this.headLength + count);
			buffer.toByteBuffer(position, ByteBuffer.wrap(this.head), this.headLength, count);
			this.headLength += count;
			position = stop;
			if (newline < 0) {
				this.lineLength += count;
				continue;
			}
			this.lineLength += count - 1;
			if (this.lineLength == 0 || (this.lineLength == 1 && this.head[this.headLength - 2] == '\r')) {
				return stop;
			}
			this.lineLength = 0;
		}
		return -1;
	}

	private void ensureCapacity(int needed) {
		if (needed > this.head.length) {
			this.head = Arrays.copyOf(this.head, Math.min(this.maxHeadSize, Math.max(needed, this.head.length * 2)));
		}
	}

	private CgiResponseHead parse() {
		HttpHeaders headers = new HttpHeaders();
		HttpStatusCode status = null;
		String contentLength = null;
		int start = 0;
		while (true) {
			int newline = start;
			while (this.head[newline] != '\n') {
				newline++;
			}
			int end = (newline > start && this.head[newline - 1] == '\r') ? newline - 1 : newline;
			if (end == start) {
				break;
			}
			String line = new String(this.head, start, end - start, StandardCharsets.ISO_8859_1);
			if (start == 0 && line.startsWith("HTTP/")) {
				status = statusLine(line);
			}
			else {
				int colon = line.indexOf(':');
				if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
					throw invalid("obsolete line folding");
				}
				if (colon < 0) {
					throw invalid("header line without ':'");
				}
				String name = line.substring(0, colon);
				if (!isToken(name)) {
					throw invalid("invalid header name");
				}
				String value = fieldValue(line, colon + 1);
				if (name.equalsIgnoreCase("Status")) {
					status = status(value, 0, "Status header");
				}
				else if (name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
					if (!isDigits(value) || (contentLength != null && !contentLength.equals(value))) {
						throw invalid("invalid Content-Length");
					}
					if (contentLength == null) {
						contentLength = value;
						headers.add(name, value);
					}
				}
				else {
					headers.add(name, value);
				}
			}
			start = newline + 1;
		}
		if (status == null) {
			status = headers.containsHeader(HttpHeaders.LOCATION) ? HttpStatus.FOUND : HttpStatus.OK;
		}
		return new CgiResponseHead(status, headers);
	}

	private static HttpStatusCode statusLine(String line) {
		// HTTP/1.1 200 OK, HTTP/1.0 404, HTTP/2 200
		int space = line.indexOf(' ');
		if (space < 0 || !isVersion(line, "HTTP/".length(), space)) {
			throw invalid("invalid status line");
		}
		return status(line, space + 1, "status line");
	}

	private static boolean isVersion(String line, int from, int to) {
		// DIGIT [ "." DIGIT ]
		int length = to - from;
		return (length == 1 || (length == 3 && line.charAt(from + 1) == '.')) && isDigit(line.charAt(from))
				&& isDigit(line.charAt(to - 1));
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static HttpStatusCode status(String text, int from, String where) {
		if (text.length() < from + 3 || (text.length() > from + 3 && text.charAt(from + 3) != ' ')) {
			throw invalid("invalid status in " + where);
		}
		int code = 0;
		for (int i = from; i < from + 3; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				throw invalid("invalid status in " + where);
			}
			code = code * 10 + (c - '0');
		}
		if (code < 200) {
			throw invalid("unsupported status " + code + " in " + where);
		}
		return HttpStatusCode.valueOf(code);
	}

	private static String fieldValue(String line, int from) {
		int start = from;
		int end = line.length();
		while (start < end && isWhitespace(line.charAt(start))) {
			start++;
		}
		while (end > start && isWhitespace(line.charAt(end - 1))) {
			end--;
		}
		for (int i = start; i < end; i++) {
			char c = line.charAt(i);
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				throw invalid("control character in header value");
			}
		}
		return line.substring(start, end);
	}

	private static boolean isWhitespace(char c) {
		return c == ' ' || c == '\t';
	}

	private static boolean isToken(String name) {
		if (name.isEmpty()) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
			if (!tchar) {
				return false;
			}
		}
		return true;
	}

	private static boolean isDigits(String value) {
		if (value.isEmpty() || value.length() > 18) {
			return false;
		}
		for (int i = 0; i < value.length(); i++) {
			if (value.charAt(i) < '0' || value.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	private static InvalidCgiResponseException invalid(String reason) {
		return new InvalidCgiResponseException(reason);
	}

	/**
	 * A complete response head and the buffer that completed it.
	 *
	 * @param head the status and headers
	 * @param body the last buffer fed, positioned at the first body byte; it may hold no bytes; the caller owns
	 * it and must release it or pass it on
	 */
	public record Parsed(CgiResponseHead head, DataBuffer body) {
	}

}
