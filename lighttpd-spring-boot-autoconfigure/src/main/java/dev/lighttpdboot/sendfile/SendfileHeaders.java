package dev.lighttpdboot.sendfile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.text.MalformedEncodingException;
import dev.lighttpdboot.text.PercentDecoder;
import io.netty.util.AsciiString;
import reactor.netty.http.server.HttpServerResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Finds and parses the sendfile headers a handler may set, in lighttpd's order of precedence: {@code X-Sendfile2},
 * {@code X-Sendfile}, {@code X-LIGHTTPD-send-file}, then nginx's {@code X-Accel-Redirect}; only the configured ones
 * count. Also knows which headers must never reach a client: every configured one, {@code X-Sendfile},
 * {@code X-Sendfile2} and every {@code X-LIGHTTPD-*} (as lighttpd strips them, honoured or not). Other {@code X-Accel-*} headers are left alone: behind an nginx they are meant for it
 * ({@code X-Accel-Buffering: no} for server-sent events).
 */
public final class SendfileHeaders {

	static final String X_SENDFILE = "X-Sendfile";

	static final String X_SENDFILE2 = "X-Sendfile2";

	static final String X_LIGHTTPD_SEND_FILE = "X-LIGHTTPD-send-file";

	static final String X_ACCEL_REDIRECT = "X-Accel-Redirect";

	private static final String LIGHTTPD_PREFIX = "x-lighttpd-";

	private static final List<String> PRECEDENCE = List.of(X_SENDFILE2, X_SENDFILE, X_LIGHTTPD_SEND_FILE,
			X_ACCEL_REDIRECT);

	private final List<String> enabled;

	/**
	 * Create the parser.
	 * @param configured the header names that are honoured (case-insensitive)
	 * @throws IllegalArgumentException if a name is not one of the four known headers
	 */
	public SendfileHeaders(List<String> configured) {
		List<String> enabled = new ArrayList<>();
		for (String name : configured) {
			String known = PRECEDENCE.stream().filter(name::equalsIgnoreCase).findFirst()
				.orElseThrow(() -> new IllegalArgumentException("Unknown sendfile header '" + name + "', expected one of "
						+ PRECEDENCE));
			enabled.add(known);
		}
		this.enabled = PRECEDENCE.stream().filter(enabled::contains).toList();
	}

	/**
	 * Whether the headers carry an instruction this parser honours.
	 */
	public boolean isPresent(HttpHeaders headers) {
		for (String name : this.enabled) {
			if (headers.containsHeader(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return the name of the honoured header of highest precedence present, or {@code null}.
	 */
	public @Nullable String firstPresent(HttpHeaders headers) {
		for (String name : this.enabled) {
			if (headers.containsHeader(name)) {
				return name;
			}
		}
		return null;
	}

	/**
	 * Parse the instruction of highest precedence.
	 * @return the instruction, or {@code null} if there is none
	 * @throws InvalidSendfileHeaderException if the header is malformed
	 */
	public @Nullable SendfileInstruction parse(HttpHeaders headers) {
		for (String name : this.enabled) {
			String value = headers.getFirst(name);
			if (value == null) {
				continue;
			}
			return switch (name) {
				case X_SENDFILE2 -> new SendfileInstruction(name, SendfileInstruction.Kind.RANGES, value, parseParts(value));
				case X_ACCEL_REDIRECT -> new SendfileInstruction(name, SendfileInstruction.Kind.ACCEL_URI,
						acceleratedPath(value), List.of());
				default -> new SendfileInstruction(name, SendfileInstruction.Kind.FILE, decode(value.trim()), List.of());
			};
		}
		return null;
	}

	/**
	 * Remove every header that must not reach a client.
	 */
	public void strip(HttpHeaders headers) {
		for (String name : this.enabled) {
			headers.remove(name);
		}
		// lighttpd's headers are stripped even when not honoured; X-Accel-Redirect only when honoured, since an
		// nginx in front of this server may be the one meant to act on it.
		headers.remove(X_SENDFILE);
		headers.remove(X_SENDFILE2);
		removeLighttpdHeaders(headers);
	}

	/**
	 * Remove every sendfile header from a response of a producer that may not use them (a backend of a route
	 * without {@code allow-x-sendfile}): all four, {@code X-Accel-Redirect} included, and every
	 * {@code X-LIGHTTPD-*}, so that neither a path nor an instruction for an nginx in front reaches the client.
	 */
	public static void stripAll(HttpHeaders headers) {
		for (String name : PRECEDENCE) {
			headers.remove(name);
		}
		removeLighttpdHeaders(headers);
	}

	/**
	 * Whether {@link #stripAll(HttpHeaders)} removes a header of this name: for a caller that copies a producer's
	 * headers and leaves those out on the way, instead of removing them afterwards.
	 * @param name a header's name (case-insensitive)
	 */
	public static boolean isStrippedByStripAll(String name) {
		if (name.regionMatches(true, 0, LIGHTTPD_PREFIX, 0, LIGHTTPD_PREFIX.length())) {
			return true;
		}
		for (String sendfile : PRECEDENCE) {
			if (sendfile.equalsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Remove every header that must not reach a client from a response about to be committed, as
	 * {@link #strip(HttpHeaders)} does. On Reactor Netty the {@code X-LIGHTTPD-*} names are looked for in Netty's
	 * own headers: this runs before every response, and Spring's view of them copies every name into a new set.
	 */
	public void strip(ServerHttpResponse response) {
		io.netty.handler.codec.http.HttpHeaders nettyHeaders = nettyHeadersOf(response);
		if (nettyHeaders == null) {
			strip(response.getHeaders());
			return;
		}
		for (String name : this.enabled) {
			nettyHeaders.remove(name);
		}
		nettyHeaders.remove(X_SENDFILE);
		nettyHeaders.remove(X_SENDFILE2);
		removeLighttpdHeaders(nettyHeaders);
	}

	/**
	 * Remove every sendfile header from a response of a producer that may not use them, as
	 * {@link #stripAll(HttpHeaders)} does, looking for the {@code X-LIGHTTPD-*} names in Netty's own headers on
	 * Reactor Netty (Spring's view of them copies every name into a new set).
	 */
	public static void stripAll(ServerHttpResponse response) {
		io.netty.handler.codec.http.HttpHeaders nettyHeaders = nettyHeadersOf(response);
		if (nettyHeaders == null) {
			stripAll(response.getHeaders());
			return;
		}
		for (String name : PRECEDENCE) {
			nettyHeaders.remove(name);
		}
		removeLighttpdHeaders(nettyHeaders);
	}

	private static void removeLighttpdHeaders(io.netty.handler.codec.http.HttpHeaders nettyHeaders) {
		List<CharSequence> internal = null;
		var entries = nettyHeaders.iteratorCharSequence();
		while (entries.hasNext()) {
			CharSequence name = entries.next().getKey();
			if (AsciiString.regionMatches(name, true, 0, LIGHTTPD_PREFIX, 0, LIGHTTPD_PREFIX.length())) {
				if (internal == null) {
					internal = new ArrayList<>();
				}
				internal.add(name);
			}
		}
		if (internal != null) {
			internal.forEach(nettyHeaders::remove);
		}
	}

	private static io.netty.handler.codec.http.@Nullable HttpHeaders nettyHeadersOf(ServerHttpResponse response) {
		try {
			return (ServerHttpResponseDecorator.getNativeResponse(response) instanceof HttpServerResponse netty)
					? netty.responseHeaders() : null;
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// Another server's response (IllegalArgumentException) or Spring's mock response (IllegalStateException):
			// Spring's view of its headers.
			return null;
		}
	}

	private static void removeLighttpdHeaders(HttpHeaders headers) {
		// Runs before every response is committed: no list and no lower-cased copy unless such a header exists.
		List<String> internal = null;
		for (String name : headers.headerNames()) {
			if (name.regionMatches(true, 0, LIGHTTPD_PREFIX, 0, LIGHTTPD_PREFIX.length())) {
				if (internal == null) {
					internal = new ArrayList<>();
				}
				internal.add(name);
			}
		}
		if (internal != null) {
			internal.forEach(headers::remove);
		}
	}

	private static List<SendfileInstruction.Part> parseParts(String value) {
		List<SendfileInstruction.Part> parts = new ArrayList<>();
		for (String item : value.split(",")) {
			String part = item.trim();
			int space = part.lastIndexOf(' ');
			if (space <= 0) {
				throw new InvalidSendfileHeaderException("X-Sendfile2 part without a range: '" + part + "'");
			}
			String range = part.substring(space + 1);
			int dash = range.indexOf('-');
			if (dash <= 0) {
				throw new InvalidSendfileHeaderException("X-Sendfile2 range is not 'start-end' or 'start-': " + range);
			}
			long start = parseOffset(range.substring(0, dash));
			long end = (dash == range.length() - 1) ? -1 : parseOffset(range.substring(dash + 1));
			if (end != -1 && end < start) {
				throw new InvalidSendfileHeaderException("X-Sendfile2 range ends before it starts: " + range);
			}
			parts.add(new SendfileInstruction.Part(Path.of(decode(part.substring(0, space).trim())), start, end));
		}
		return parts;
	}

	private static long parseOffset(String digits) {
		if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
			throw new InvalidSendfileHeaderException("X-Sendfile2 offset is not a number: '" + digits + "'");
		}
		return Long.parseLong(digits);
	}

	private static String acceleratedPath(String value) {
		// nginx splits the escaped URI at '?'; the query has no meaning for a file.
		String uri = value.trim();
		int query = uri.indexOf('?');
		return (query >= 0) ? uri.substring(0, query) : uri;
	}

	/**
	 * Percent-decode a header value as UTF-8, strictly: malformed escapes or UTF-8 are the handler's error.
	 */
	static String decode(String value) {
		if (value.isEmpty()) {
			throw new InvalidSendfileHeaderException("empty path");
		}
		String decoded;
		try {
			decoded = PercentDecoder.decode(value);
		}
		catch (MalformedEncodingException ex) {
			throw new InvalidSendfileHeaderException(ex.getMessage() + " in path");
		}
		if (decoded.indexOf('\0') >= 0) {
			throw new InvalidSendfileHeaderException("NUL byte in path");
		}
		return decoded;
	}

}
