package dev.lighttpdboot.gateway.cgi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Builds the CGI/1.1 environment (RFC 3875) that FastCGI, SCGI and uwsgi backends receive for one request, with
 * the variables lighttpd adds: the one builder of the gateway, used by the proxy routes and the {@code WebClient}
 * connector alike.
 * <p>Every name and value is a <em>byte string</em>: each {@code char} is one byte (0-255), so protocol codecs
 * encode them as ISO-8859-1. Header values are passed as the client sent them (Netty reads header bytes as
 * ISO-8859-1); decoded names such as SCRIPT_NAME and file paths are given as their UTF-8 bytes, the bytes lighttpd
 * would send for the same request.
 * <p>Choices where servers differ:
 * <ul>
 * <li>CONTENT_LENGTH comes first (SCGI requires it there) and is always the exact length of the spooled body,
 * {@code 0} when there is none: lighttpd's behaviour and what SCGI demands, where nginx sends it empty for a GET.
 * php-fpm reads exactly this many bytes either way. CONTENT_TYPE is sent only when the request has one.</li>
 * <li>PATH_INFO and PATH_TRANSLATED are left out when the path info is empty, as lighttpd does and RFC 3875
 * allows; PHP then takes PHP_SELF from SCRIPT_NAME alone.</li>
 * <li>REQUEST_SCHEME is always sent; HTTPS={@code on} only for secure requests (TLS on this connection, or an
 * {@code https} URI as rewritten by a trusted {@code ForwardedHeaderTransformer}).</li>
 * <li>Request headers become {@code HTTP_*} variables, several values of one header joined with {@code ", "}
 * ({@code "; "} for Cookie). Left out: {@code Proxy} (httpoxy: a CGI library would take HTTP_PROXY as its outgoing
 * proxy), Content-Type and Content-Length (they have their own variables), Transfer-Encoding (the backend gets a
 * body of known length, and frameworks that see {@code chunked} ignore CONTENT_LENGTH), and every header whose
 * name has a character other than a letter, digit or {@code -}. The last rule is nginx's default
 * ({@code underscores_in_headers off}); it stops {@code X_Forwarded_For} from posing as {@code X-Forwarded-For}
 * once both are mapped to {@code HTTP_X_FORWARDED_FOR}, where lighttpd answers such a collision with 400.</li>
 * </ul>
 */
public final class CgiEnvironment {

	/** The SERVER_SOFTWARE that backends see unless configured otherwise. */
	public static final String DEFAULT_SERVER_SOFTWARE = "lighttpd-spring-boot";

	private final String serverSoftware;

	public CgiEnvironment() {
		this(DEFAULT_SERVER_SOFTWARE);
	}

	/**
	 * Create a builder that announces the given SERVER_SOFTWARE.
	 */
	public CgiEnvironment(String serverSoftware) {
		this.serverSoftware = serverSoftware;
	}

	/**
	 * Build the ordered parameters for one request this server received.
	 * @param request the request
	 * @param script where the request lands
	 * @param contentLength the exact length of the spooled request body
	 * @return the parameters, in the order they should be sent; names are unique
	 */
	public List<Map.Entry<String, String>> build(ServerHttpRequest request, ScriptResolution script,
			long contentLength) {
		return build(GatewayRequest.of(request, script, SpooledBody.EMPTY), contentLength);
	}

	/**
	 * Build the ordered parameters for one request on its way to a backend.
	 * @param request the request; it must carry a {@linkplain GatewayRequest#script() script resolution}
	 * @return the parameters, in the order they should be sent; names are unique
	 */
	public List<Map.Entry<String, String>> build(GatewayRequest request) {
		return build(request, request.body().length());
	}

	private List<Map.Entry<String, String>> build(GatewayRequest request, long contentLength) {
		ScriptResolution script = request.script();
		if (script == null) {
			throw new IllegalArgumentException("a CGI environment needs a script: the route has no document root");
		}
		List<Map.Entry<String, String>> parameters = new ArrayList<>(32 + request.headers().size());
		HttpHeaders headers = request.headers();
		boolean secure = request.secure();
		InetSocketAddress local = request.localAddress();
		InetSocketAddress remote = request.remoteAddress();

		add(parameters, "CONTENT_LENGTH", Long.toString(contentLength));
		String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		if (contentType != null) {
			add(parameters, "CONTENT_TYPE", contentType);
		}
		add(parameters, "GATEWAY_INTERFACE", "CGI/1.1");
		add(parameters, "SERVER_SOFTWARE", this.serverSoftware);
		add(parameters, "SERVER_PROTOCOL", request.serverProtocol());
		add(parameters, "SERVER_NAME", serverName(headers, request.authority(), local));
		if (local != null) {
			add(parameters, "SERVER_ADDR", address(local));
		}
		add(parameters, "SERVER_PORT", Integer.toString(serverPort(request.authority(), local, secure)));
		if (remote != null) {
			add(parameters, "REMOTE_ADDR", address(remote));
			if (remote.getPort() > 0) {
				// Unknown for a request this application makes itself.
				add(parameters, "REMOTE_PORT", Integer.toString(remote.getPort()));
			}
		}
		add(parameters, "REQUEST_METHOD", request.method().name());
		add(parameters, "REQUEST_SCHEME", secure ? "https" : "http");
		if (secure) {
			add(parameters, "HTTPS", "on");
		}
		add(parameters, "REQUEST_URI", request.rawTarget());
		add(parameters, "QUERY_STRING", request.rawQuery());
		add(parameters, "SCRIPT_NAME", utf8Bytes(script.scriptName()));
		add(parameters, "SCRIPT_FILENAME", utf8Bytes(script.scriptFilename().toString()));
		if (!script.pathInfo().isEmpty()) {
			add(parameters, "PATH_INFO", utf8Bytes(script.pathInfo()));
			add(parameters, "PATH_TRANSLATED", utf8Bytes(script.pathTranslated()));
		}
		// nginx's fastcgi_params send the decoded path as DOCUMENT_URI; some servers (Jetty's) build the request
		// path from it.
		add(parameters, "DOCUMENT_URI", utf8Bytes(script.scriptName() + script.pathInfo()));
		add(parameters, "DOCUMENT_ROOT", utf8Bytes(script.documentRoot().toString()));
		// php-cgi built with force-cgi-redirect refuses to run without it.
		add(parameters, "REDIRECT_STATUS", "200");
		addHeaders(parameters, headers);
		return List.copyOf(parameters);
	}

	private static void addHeaders(List<Map.Entry<String, String>> parameters, HttpHeaders headers) {
		// Some header adapters list one name once per spelling ("X-A", "x-a"), each with all the values.
		Set<String> seen = new HashSet<>();
		headers.forEach((name, values) -> {
			String variable = variableName(name);
			if (variable != null && !values.isEmpty() && seen.add(variable)) {
				String separator = variable.equals("HTTP_COOKIE") ? "; " : ", ";
				add(parameters, variable, String.join(separator, values));
			}
		});
	}

	/**
	 * Return {@code HTTP_<NAME>} for a header that is passed on, else {@code null}.
	 */
	static @Nullable String variableName(String headerName) {
		if (headerName.isEmpty() || headerName.equalsIgnoreCase("Proxy")
				|| headerName.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE)
				|| headerName.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)
				|| headerName.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING)) {
			return null;
		}
		StringBuilder variable = new StringBuilder(5 + headerName.length()).append("HTTP_");
		for (int i = 0; i < headerName.length(); i++) {
			char c = headerName.charAt(i);
			if (c == '-') {
				variable.append('_');
			}
			else if ((c >= 'a' && c <= 'z')) {
				variable.append((char) (c - ('a' - 'A')));
			}
			else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
				variable.append(c);
			}
			else {
				return null;
			}
		}
		return variable.toString();
	}

	private static String serverName(HttpHeaders headers, @Nullable String authority,
			@Nullable InetSocketAddress local) {
		String host = headers.getFirst(HttpHeaders.HOST);
		if (host != null && !host.isEmpty()) {
			if (host.charAt(0) == '[') {
				int end = host.indexOf(']');
				return (end > 0) ? host.substring(0, end + 1) : host;
			}
			int colon = host.indexOf(':');
			return (colon >= 0) ? host.substring(0, colon) : host;
		}
		URI named = authority(authority);
		if (named != null && named.getHost() != null) {
			return named.getHost();
		}
		if (local != null) {
			String address = address(local);
			return (address.indexOf(':') >= 0) ? "[" + address + "]" : address;
		}
		return "";
	}

	private static int serverPort(@Nullable String authority, @Nullable InetSocketAddress local, boolean secure) {
		if (local != null) {
			return local.getPort();
		}
		URI named = authority(authority);
		if (named != null && named.getPort() >= 0) {
			return named.getPort();
		}
		return secure ? 443 : 80;
	}

	private static @Nullable URI authority(@Nullable String authority) {
		if (authority == null || authority.isEmpty()) {
			return null;
		}
		try {
			return new URI("http://" + authority);
		}
		catch (URISyntaxException ex) {
			return null;
		}
	}

	private static String address(InetSocketAddress socketAddress) {
		// RFC 5952 text for IPv6 ("::1", not "0:0:0:0:0:0:0:1"), as lighttpd and nginx print it.
		return (socketAddress.getAddress() != null) ? NetUtil.toAddressString(socketAddress.getAddress())
				: socketAddress.getHostString();
	}

	private static String utf8Bytes(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) >= 0x80) {
				return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
			}
		}
		return text;
	}

	private static void add(List<Map.Entry<String, String>> parameters, String name, String value) {
		parameters.add(Map.entry(name, value));
	}

}
