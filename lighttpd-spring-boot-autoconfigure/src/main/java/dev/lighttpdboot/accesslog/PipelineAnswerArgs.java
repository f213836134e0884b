package dev.lighttpdboot.accesslog;

import java.net.SocketAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.cookie.Cookie;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.ConnectionInformation;
import reactor.netty.http.server.logging.AccessLogArgProvider;

/**
 * What the access log needs to know of a request answered in the connection's pipeline, before Reactor Netty's
 * HTTP handling (where its own access log would have described it): the request's head, the response's head, the
 * body bytes sent and the time taken, and the exchange attributes the line reads (a gateway's {@code BackendCall})
 * where the answer has them. There is no connection information: which client a line names is the
 * socket's peer, so requests that name another client in forwarding headers are left to Reactor Netty.
 */
public final class PipelineAnswerArgs implements AccessLogArgProvider {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

	private final HttpRequest request;

	private final HttpResponse response;

	private final @Nullable SocketAddress client;

	private final ZonedDateTime received;

	private final long bodyBytes;

	private final long durationMillis;

	private final Map<String, Object> attributes;

	/**
	 * Describe an answer.
	 * @param request the request's head
	 * @param response the response's head
	 * @param client the connection's peer
	 * @param received when the request's head was read
	 * @param bodyBytes the size of the answer as Reactor Netty's access log gives it: its Content-Length (a HEAD's
	 * included)
	 * @param durationMillis the time from the request's head to the answer's last byte handed to the kernel
	 */
	public PipelineAnswerArgs(HttpRequest request, HttpResponse response, @Nullable SocketAddress client,
			ZonedDateTime received, long bodyBytes, long durationMillis) {
		this(request, response, client, received, bodyBytes, durationMillis, Collections.emptyMap());
	}

	/**
	 * Describe an answer, with what the line reads of the exchange attributes the ordinary way would have had.
	 * @param request the request's head
	 * @param response the response's head
	 * @param client the connection's peer
	 * @param received when the request's head was read
	 * @param bodyBytes the size of the answer as Reactor Netty's access log gives it
	 * @param durationMillis the time from the request's head to the answer's last byte handed to the kernel
	 * @param attributes attributes by name, as the exchange would hold them
	 */
	public PipelineAnswerArgs(HttpRequest request, HttpResponse response, @Nullable SocketAddress client,
			ZonedDateTime received, long bodyBytes, long durationMillis, Map<String, Object> attributes) {
		this.attributes = attributes;
		this.request = request;
		this.response = response;
		this.client = client;
		this.received = received;
		this.bodyBytes = bodyBytes;
		this.durationMillis = durationMillis;
	}

	/**
	 * Return the exchange attributes the answer has, for the line.
	 */
	Map<String, Object> attributes() {
		return this.attributes;
	}

	@Override
	public String zonedDateTime() {
		return this.received.format(TIME);
	}

	@Override
	public ZonedDateTime accessDateTime() {
		return this.received;
	}

	@Override
	public @Nullable SocketAddress remoteAddress() {
		return this.client;
	}

	@Override
	public @Nullable ConnectionInformation connectionInformation() {
		return null;
	}

	@Override
	public CharSequence method() {
		return this.request.method().asciiName();
	}

	@Override
	public CharSequence uri() {
		return this.request.uri();
	}

	@Override
	public String protocol() {
		return this.request.protocolVersion().text();
	}

	@Override
	public @Nullable String user() {
		return null;
	}

	@Override
	public CharSequence status() {
		return this.response.status().codeAsText();
	}

	@Override
	public long contentLength() {
		return this.bodyBytes;
	}

	@Override
	public long duration() {
		return this.durationMillis;
	}

	@Override
	public @Nullable CharSequence requestHeader(CharSequence name) {
		return this.request.headers().get(name);
	}

	@Override
	public @Nullable CharSequence responseHeader(CharSequence name) {
		return this.response.headers().get(name);
	}

	@Override
	public Map<CharSequence, Set<Cookie>> cookies() {
		return Collections.emptyMap();
	}

}
