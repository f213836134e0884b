package dev.lighttpdboot.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;

import dev.lighttpdboot.gateway.cgi.ScriptResolution;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.ClassUtils;

/**
 * A request on its way to a backend, whatever protocol carries it: what the client asked for, as it asked, and
 * what this server learnt about it (the spooled body, the script the path names). A protocol plug-in turns it into
 * bytes: a CGI environment for FastCGI and SCGI, a request line and headers for HTTP, a forward request for AJP13.
 *
 * @param method the request method
 * @param rawTarget the request target as received: the percent-encoded path and, after {@code ?}, the raw query
 * @param headers the request headers as received, names in their original spelling
 * @param remoteAddress the client's address, or {@code null} if unknown
 * @param localAddress the address the client connected to, or {@code null} if unknown
 * @param scheme {@code http} or {@code https} (also {@code https} when a trusted forwarded header said so)
 * @param authority the host and port the request named (its URI's authority), or {@code null}
 * @param serverProtocol the protocol of the client connection, for example {@code HTTP/1.1}
 * @param balanceKey what the {@code hash} balancer hashes: the raw path without the query
 * @param body the request body, read to its end; replayable, so the request may go to another backend
 * @param script where the path lands below the route's document root, or {@code null} for a route without one
 */
public record GatewayRequest(HttpMethod method, String rawTarget, HttpHeaders headers,
		@Nullable InetSocketAddress remoteAddress, @Nullable InetSocketAddress localAddress, String scheme,
		@Nullable String authority, String serverProtocol, String balanceKey, SpooledBody body,
		@Nullable ScriptResolution script) {

	private static final boolean REACTOR_NETTY_PRESENT = ClassUtils
		.isPresent("reactor.netty.http.server.HttpServerRequest", GatewayRequest.class.getClassLoader());

	public GatewayRequest {
		Objects.requireNonNull(method, "method");
		Objects.requireNonNull(rawTarget, "rawTarget");
		Objects.requireNonNull(headers, "headers");
		Objects.requireNonNull(scheme, "scheme");
		Objects.requireNonNull(serverProtocol, "serverProtocol");
		Objects.requireNonNull(balanceKey, "balanceKey");
		Objects.requireNonNull(body, "body");
	}

	/**
	 * Describe a request this server received.
	 * @param request the request
	 * @param script where its path lands, or {@code null} for a route without a document root
	 * @param body its spooled body
	 * @return the request
	 */
	public static GatewayRequest of(ServerHttpRequest request, @Nullable ScriptResolution script, SpooledBody body) {
		URI uri = request.getURI();
		boolean secure = request.getSslInfo() != null || "https".equalsIgnoreCase(uri.getScheme())
				|| "wss".equalsIgnoreCase(uri.getScheme());
		String rawPath = (uri.getRawPath() != null) ? uri.getRawPath() : request.getPath().value();
		String rawQuery = uri.getRawQuery();
		return new GatewayRequest(request.getMethod(), (rawQuery != null) ? rawPath + "?" + rawQuery : rawPath,
				request.getHeaders(), request.getRemoteAddress(), request.getLocalAddress(), secure ? "https" : "http",
				uri.getRawAuthority(), protocol(request), rawPath, body, script);
	}

	/**
	 * Describe a request made by this application (through {@code WebClient}), to a target named by a URI.
	 * @param method the method
	 * @param uri the target; its path and query make the request target, its host and port the authority
	 * @param headers the request headers
	 * @param script where the path lands, or {@code null}
	 * @param body the body
	 * @return the request, as if from the loopback address
	 */
	public static GatewayRequest outgoing(HttpMethod method, URI uri, HttpHeaders headers,
			@Nullable ScriptResolution script,
			SpooledBody body) {
		String rawPath = (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) ? uri.getRawPath() : "/";
		String rawQuery = uri.getRawQuery();
		return new GatewayRequest(method, (rawQuery != null && !rawQuery.isEmpty()) ? rawPath + "?" + rawQuery : rawPath,
				headers, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null,
				"https".equalsIgnoreCase(uri.getScheme()) ? "https" : "http", uri.getRawAuthority(), "HTTP/1.1",
				rawPath, body, script);
	}

	/**
	 * Whether the request says it has no body: HTTP/1 without {@code Transfer-Encoding} and without a
	 * {@code Content-Length} other than 0 (RFC 9112, section 6.3). An HTTP/2 request may send data without announcing a
	 * length, so it never says so.
	 */
	public boolean announcesNoBody() {
		return this.serverProtocol.startsWith("HTTP/1.") && !this.headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)
				&& this.headers.getContentLength() <= 0;
	}

	/**
	 * Return this request with its body.
	 * @param body the spooled body
	 * @return the request
	 */
	public GatewayRequest withBody(SpooledBody body) {
		return new GatewayRequest(this.method, this.rawTarget, this.headers, this.remoteAddress, this.localAddress,
				this.scheme, this.authority, this.serverProtocol, this.balanceKey, body, this.script);
	}

	/**
	 * Return the raw path: the target up to its query.
	 */
	public String rawPath() {
		int query = this.rawTarget.indexOf('?');
		return (query >= 0) ? this.rawTarget.substring(0, query) : this.rawTarget;
	}

	/**
	 * Return the raw query (without {@code ?}), empty when there is none.
	 */
	public String rawQuery() {
		int query = this.rawTarget.indexOf('?');
		return (query >= 0) ? this.rawTarget.substring(query + 1) : "";
	}

	/**
	 * Whether the client reached this server over TLS (or a trusted proxy said it did).
	 */
	public boolean secure() {
		return "https".equals(this.scheme);
	}

	/**
	 * Whether the method is safe (RFC 9110): a request that may be sent twice when its first connection turned
	 * out dead before any response byte.
	 */
	public boolean safeMethod() {
		return HttpMethod.GET.equals(this.method) || HttpMethod.HEAD.equals(this.method)
				|| HttpMethod.OPTIONS.equals(this.method);
	}

	private static String protocol(ServerHttpRequest request) {
		String version = REACTOR_NETTY_PRESENT ? ReactorNettyVersion.of(nativeRequest(request)) : null;
		return (version != null) ? version : "HTTP/1.1";
	}

	private static @Nullable Object nativeRequest(ServerHttpRequest request) {
		try {
			return ServerHttpRequestDecorator.getNativeRequest(request);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// Not a server request (a mock, or a decorator hiding it): no version to read.
			return null;
		}
	}

	/**
	 * Kept apart so that this class loads on servers other than Reactor Netty.
	 */
	private static final class ReactorNettyVersion {

		static @Nullable String of(@Nullable Object nativeRequest) {
			// Reactor Netty names HTTP/2 "HTTP/2.0", the spelling lighttpd and nginx use too.
			return (nativeRequest instanceof HttpServerRequest request) ? request.version().text() : null;
		}

	}

}
