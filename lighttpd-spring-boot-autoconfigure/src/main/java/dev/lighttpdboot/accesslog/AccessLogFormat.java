package dev.lighttpdboot.accesslog;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.lighttpdboot.gateway.BackendCall;
import dev.lighttpdboot.uploadprogress.ProgressIds;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.ConnectionInformation;
import reactor.netty.http.server.logging.AccessLogArgProvider;

/**
 * An access-log line format in the directives of lighttpd's mod_accesslog and Apache's mod_log_config, so that the
 * formats (and log analysers) users already have keep working:
 * <ul>
 * <li>{@code %h} client address, {@code %l} always {@code -}, {@code %u} user (or {@code -}), {@code %t} time as
 * {@code [02/Dec/2026:04:46:23 +0000]}, {@code %r} request line, {@code %s} or {@code %>s} status, {@code %b} bytes
 * of the body ({@code -} for none), {@code %B} bytes (0 for none), {@code %m} method, {@code %U} path, {@code %q}
 * query (with its {@code ?}), {@code %H} protocol, {@code %T} seconds, {@code %{ms}T} and {@code %D} (microseconds)
 * the time taken, {@code %{Name}i} a request header, {@code %{Name}o} a response header, {@code %%} a percent
 * sign;</li>
 * <li>this server's own: {@code %{route}x} and {@code %{backend}x} (which gateway route and backend answered),
 * {@code %{backend-time}x} (the backend's response time in seconds with millisecond resolution, as nginx's
 * {@code $upstream_response_time}), {@code %{upload-id}x} (the X-Progress-ID of an upload: a request whose method carries a body) — each {@code -} where it
 * does not apply — and {@code %{gateway}x}, which writes {@code " backend=php-0 backend_time=0.012 upload=id"} with
 * only the parts that apply, and nothing for a request that had none.</li>
 * </ul>
 * Text from the request is escaped as nginx escapes it ({@code \"}, {@code \\}, {@code \xHH} for control and
 * non-ASCII bytes): a client cannot forge a log line.
 */
public final class AccessLogFormat {

	/** Apache's and lighttpd's common log format. */
	public static final String COMMON = "%h %l %u %t \"%r\" %>s %b";

	/**
	 * The combined log format (common, then referrer and user agent), followed by the backend, its response time and
	 * the upload id where they apply.
	 */
	public static final String COMBINED = COMMON + " \"%{Referer}i\" \"%{User-Agent}i\"%{gateway}x";

	private static final Set<String> BODILESS = Set.of("GET", "HEAD", "OPTIONS", "DELETE", "TRACE");

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

	private final String pattern;

	private final List<Part> parts;

	private AccessLogFormat(String pattern, List<Part> parts) {
		this.pattern = pattern;
		this.parts = parts;
	}

	/**
	 * Parse a format: {@code common}, {@code combined}, or a pattern of directives.
	 * @param format the preset's name or the pattern
	 * @return the format
	 * @throws IllegalArgumentException naming the directive that is not known
	 */
	public static AccessLogFormat parse(String format) {
		String pattern = switch (format.trim().toLowerCase(Locale.ROOT)) {
			case "common" -> COMMON;
			case "combined" -> COMBINED;
			default -> format;
		};
		List<Part> parts = new ArrayList<>();
		StringBuilder literal = new StringBuilder();
		int i = 0;
		while (i < pattern.length()) {
			char c = pattern.charAt(i++);
			if (c != '%') {
				literal.append(c);
				continue;
			}
			if (i >= pattern.length()) {
				throw new IllegalArgumentException("the format ends with a lone '%'");
			}
			String argument = null;
			if (pattern.charAt(i) == '{') {
				int end = pattern.indexOf('}', i);
				if (end < 0) {
					throw new IllegalArgumentException("'%{' at " + (i - 1) + " has no closing '}'");
				}
				argument = pattern.substring(i + 1, end);
				i = end + 1;
			}
			if (i < pattern.length() && pattern.charAt(i) == '>') {
				i++;
			}
			if (i >= pattern.length()) {
				throw new IllegalArgumentException("the format ends inside a directive");
			}
			char directive = pattern.charAt(i++);
			if (directive == '%') {
				literal.append('%');
				continue;
			}
			if (!literal.isEmpty()) {
				String text = literal.toString();
				parts.add((line, args, attributes) -> line.append(text));
				literal.setLength(0);
			}
			parts.add(part(directive, argument));
		}
		if (!literal.isEmpty()) {
			String text = literal.toString();
			parts.add((line, args, attributes) -> line.append(text));
		}
		return new AccessLogFormat(pattern, List.copyOf(parts));
	}

	/**
	 * Return the pattern, presets expanded.
	 */
	public String pattern() {
		return this.pattern;
	}

	/**
	 * Render the line of one request.
	 * @param args what Reactor Netty knows of the request and its response
	 * @param attributes the request's exchange attributes (for the gateway's {@link BackendCall}), or an empty map
	 * for a request that did not reach WebFlux
	 * @return the line
	 */
	public String render(AccessLogArgProvider args, Map<String, Object> attributes) {
		StringBuilder line = new StringBuilder(160);
		for (Part part : this.parts) {
			part.append(line, args, attributes);
		}
		return line.toString();
	}

	private static Part part(char directive, @Nullable String argument) {
		switch (directive) {
			case 'h':
				return (line, args, attributes) -> line.append(client(args));
			case 'l':
				return (line, args, attributes) -> line.append('-');
			case 'u':
				return (line, args, attributes) -> escaped(line, args.user());
			case 't':
				return (line, args, attributes) -> {
					ZonedDateTime time = args.accessDateTime();
					line.append('[').append(TIME.format((time != null) ? time : ZonedDateTime.now())).append(']');
				};
			case 'r':
				return (line, args, attributes) -> {
					escaped(line, args.method());
					line.append(' ');
					escaped(line, args.uri());
					line.append(' ');
					escaped(line, args.protocol());
				};
			case 's':
				return (line, args, attributes) -> escaped(line, args.status());
			case 'b':
				return (line, args, attributes) -> {
					long length = args.contentLength();
					if (length > 0) {
						line.append(length);
					}
					else {
						line.append('-');
					}
				};
			case 'B':
				return (line, args, attributes) -> line.append(Math.max(0, args.contentLength()));
			case 'm':
				return (line, args, attributes) -> escaped(line, args.method());
			case 'U':
				return (line, args, attributes) -> escaped(line, path(args.uri()));
			case 'q':
				return (line, args, attributes) -> escaped(line, query(args.uri()));
			case 'H':
				return (line, args, attributes) -> escaped(line, args.protocol());
			case 'D':
				return (line, args, attributes) -> line.append(args.duration() * 1000);
			case 'T':
				if ("ms".equals(argument)) {
					return (line, args, attributes) -> line.append(args.duration());
				}
				if (argument != null && !"s".equals(argument)) {
					throw new IllegalArgumentException("%{" + argument + "}T: the unit must be s or ms");
				}
				return (line, args, attributes) -> line.append(args.duration() / 1000);
			case 'i':
				String request = required(argument, 'i');
				return (line, args, attributes) -> escaped(line, args.requestHeader(request));
			case 'o':
				String response = required(argument, 'o');
				return (line, args, attributes) -> escaped(line, args.responseHeader(response));
			case 'x':
				return extension(required(argument, 'x'));
			default:
				throw new IllegalArgumentException("'%" + directive + "' is not a known directive");
		}
	}

	private static Part extension(String name) {
		return switch (name) {
			case "route" -> (line, args, attributes) -> {
				BackendCall call = call(attributes);
				escaped(line, (call != null) ? call.route() : null);
			};
			case "backend" -> (line, args, attributes) -> {
				BackendCall call = call(attributes);
				escaped(line, (call != null) ? call.backend() : null);
			};
			case "backend-time" -> (line, args, attributes) -> {
				BackendCall call = call(attributes);
				if (call != null) {
					seconds(line, call.responseTime());
				}
				else {
					line.append('-');
				}
			};
			case "upload-id" -> (line, args, attributes) -> escaped(line, uploadId(args));
			case "gateway" -> (line, args, attributes) -> {
				BackendCall call = call(attributes);
				if (call != null) {
					line.append(" backend=");
					escaped(line, call.backend());
					line.append(" backend_time=");
					seconds(line, call.responseTime());
				}
				String upload = uploadId(args);
				if (upload != null) {
					line.append(" upload=");
					escaped(line, upload);
				}
			};
			default -> throw new IllegalArgumentException("'%{" + name + "}x' is not known; use route, backend, "
					+ "backend-time, upload-id or gateway");
		};
	}

	private static String required(@Nullable String argument, char directive) {
		if (argument == null || argument.isEmpty()) {
			throw new IllegalArgumentException("'%" + directive + "' needs a name: %{Name}" + directive);
		}
		return argument;
	}

	private static @Nullable BackendCall call(Map<String, Object> attributes) {
		return (attributes.get(BackendCall.ATTRIBUTE) instanceof BackendCall call) ? call : null;
	}

	private static @Nullable String uploadId(AccessLogArgProvider args) {
		// As the upload counter: only a method that carries a body is an upload (a progress poll names the id too).
		CharSequence method = args.method();
		if (method == null || BODILESS.contains(method.toString())) {
			return null;
		}
		CharSequence uri = args.uri();
		CharSequence header = args.requestHeader(ProgressIds.NAME);
		return ProgressIds.find((header != null) ? header.toString() : null, (uri != null) ? uri.toString() : "");
	}

	private static void seconds(StringBuilder line, Duration duration) {
		long millis = duration.toMillis();
		line.append(millis / 1000).append('.');
		long fraction = millis % 1000;
		if (fraction < 100) {
			line.append('0');
		}
		if (fraction < 10) {
			line.append('0');
		}
		line.append(fraction);
	}

	private static CharSequence client(AccessLogArgProvider args) {
		ConnectionInformation information = args.connectionInformation();
		// Honours server.forward-headers-strategy=native: the address a trusted proxy reported.
		SocketAddress address = (information != null) ? information.remoteAddress() : null;
		if (address == null) {
			address = args.remoteAddress();
		}
		if (address instanceof InetSocketAddress inet) {
			return (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
		}
		return (address != null) ? address.toString() : "-";
	}

	private static @Nullable CharSequence path(@Nullable CharSequence uri) {
		if (uri == null) {
			return null;
		}
		String text = uri.toString();
		int query = text.indexOf('?');
		return (query < 0) ? text : text.substring(0, query);
	}

	private static CharSequence query(@Nullable CharSequence uri) {
		if (uri == null) {
			return "";
		}
		String text = uri.toString();
		int query = text.indexOf('?');
		return (query < 0) ? "" : text.substring(query);
	}

	/**
	 * Append {@code value}, or {@code -} for none, escaped as nginx escapes variables.
	 */
	static void escaped(StringBuilder line, @Nullable CharSequence value) {
		if (value == null || value.isEmpty()) {
			line.append('-');
			return;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' || c == '\\') {
				line.append('\\').append(c);
			}
			else if (c >= 0x20 && c < 0x7f) {
				line.append(c);
			}
			else {
				byte[] bytes = (c <= 0xff) ? new byte[] { (byte) c }
						: String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				for (byte b : bytes) {
					line.append("\\x").append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
						.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
				}
			}
		}
	}

	@FunctionalInterface
	private interface Part {

		void append(StringBuilder line, AccessLogArgProvider args, Map<String, Object> attributes);

	}

}
