package dev.lighttpdboot.gateway.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.lighttpdboot.gateway.GatewayRequest;
import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

/**
 * The header fields of a request as an HTTP backend gets them: those the client sent, in their spelling and order,
 * without the ones that describe the client's connection, plus what the backend cannot otherwise know (who the
 * client is, how and to which name it connected).
 * <ul>
 * <li>Removed (RFC 9110 section 7.6.1 and what this server consumes itself): {@code Connection} and every field it
 * names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding},
 * {@code Upgrade}, {@code HTTP2-Settings}; {@code Proxy-Authorization} (credentials for a proxy, which this server
 * is, never for the application behind it); {@code Expect} (the body was read before the backend was chosen, so
 * there is nothing to wait for); {@code Content-Length} (set again from the spooled body).</li>
 * <li>{@code Host}: the client's (from the request's authority for an HTTP/2 client), or the route's
 * {@code http.host}.</li>
 * <li>{@code X-Forwarded-For}: the client's address appended to what came in; {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Host} replaced by this server's view; {@code Forwarded} (RFC 7239) gets an element of its
 * own appended, {@code for=...;host=...;proto=...}, IPv6 addresses quoted and bracketed.</li>
 * </ul>
 */
public final class HttpRequestHeaders {

	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
			"trailer", "transfer-encoding", "upgrade", "http2-settings", "proxy-authorization", "expect",
			"content-length", "host", "x-forwarded-proto", "x-forwarded-host");

	private HttpRequestHeaders() {
	}

	/**
	 * Write the fields of a request.
	 * @param request the request
	 * @param host the {@code Host} to send instead of the client's, or {@code null}
	 * @param contentLength the body's length, or a negative number to send no {@code Content-Length}
	 * @param sink receives each field; a name may come more than once
	 */
	public static void write(GatewayRequest request, @Nullable String host, long contentLength,
			BiConsumer<String, String> sink) {
		Set<String> nominated = new HashSet<>();
		for (String value : request.headers().getOrEmpty("Connection")) {
			for (String token : value.split(",")) {
				nominated.add(token.trim().toLowerCase(Locale.ROOT));
			}
		}
		String clientHost = request.headers().getFirst("Host");
		if (clientHost == null) {
			clientHost = request.authority();
		}
		String forwardedFor = null;
		String forwarded = null;
		for (Map.Entry<String, List<String>> field : request.headers().headerSet()) {
			String name = field.getKey();
			String lower = name.toLowerCase(Locale.ROOT);
			if (HOP_BY_HOP.contains(lower) || nominated.contains(lower)) {
				continue;
			}
			if (lower.equals("x-forwarded-for")) {
				forwardedFor = String.join(", ", field.getValue());
				continue;
			}
			if (lower.equals("forwarded")) {
				forwarded = String.join(", ", field.getValue());
				continue;
			}
			for (String value : field.getValue()) {
				sink.accept(name, value);
			}
		}
		String sentHost = (host != null) ? host : clientHost;
		if (sentHost != null) {
			sink.accept("Host", sentHost);
		}
		if (contentLength >= 0) {
			sink.accept("Content-Length", Long.toString(contentLength));
		}
		String client = clientAddress(request.remoteAddress());
		sink.accept("X-Forwarded-For", (forwardedFor != null && !forwardedFor.isBlank())
				? forwardedFor + ", " + ((client != null) ? client : "unknown") : (client != null) ? client : "unknown");
		sink.accept("X-Forwarded-Proto", request.scheme());
		if (clientHost != null) {
			sink.accept("X-Forwarded-Host", clientHost);
		}
		String element = forwardedElement(request.remoteAddress(), clientHost, request.scheme());
		sink.accept("Forwarded", (forwarded != null && !forwarded.isBlank()) ? forwarded + ", " + element : element);
	}

	/**
	 * Return the RFC 7239 element this server adds: {@code for}, {@code host} when known, {@code proto}.
	 */
	static String forwardedElement(@Nullable InetSocketAddress remote, @Nullable String host, String scheme) {
		StringBuilder element = new StringBuilder("for=");
		InetAddress address = (remote != null) ? remote.getAddress() : null;
		if (address == null) {
			element.append("unknown");
		}
		else if (address instanceof Inet6Address) {
			// A colon is not a token character: IPv6 is quoted, in brackets (RFC 7239 section 6).
			element.append("\"[").append(hostAddress(address)).append("]\"");
		}
		else {
			element.append(hostAddress(address));
		}
		if (host != null) {
			element.append(";host=").append(tokenOrQuoted(host));
		}
		element.append(";proto=").append(scheme);
		return element.toString();
	}

	private static @Nullable String clientAddress(@Nullable InetSocketAddress remote) {
		InetAddress address = (remote != null) ? remote.getAddress() : null;
		return (address != null) ? hostAddress(address) : null;
	}

	private static String hostAddress(InetAddress address) {
		// RFC 5952's short form for IPv6, without the scope of a link-local address, which means nothing to the
		// backend.
		return NetUtil.toAddressString(address);
	}

	private static String tokenOrQuoted(String value) {
		boolean token = !value.isEmpty();
		for (int i = 0; i < value.length() && token; i++) {
			token = isTokenChar(value.charAt(i));
		}
		if (token) {
			return value;
		}
		StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' || c == '\\') {
				quoted.append('\\');
			}
			quoted.append(c);
		}
		return quoted.append('"').toString();
	}

	private static boolean isTokenChar(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
	}

}
