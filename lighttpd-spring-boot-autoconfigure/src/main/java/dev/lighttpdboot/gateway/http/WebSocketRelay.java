package dev.lighttpdboot.gateway.http;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayRequest;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Passes a WebSocket upgrade through to an HTTP backend, as lighttpd's {@code proxy.header = ("upgrade" =>
 * "enable")} and nginx's {@code proxy_http_version 1.1} with {@code Upgrade} do: the backend's handshake first (with
 * the client's end-to-end headers, its subprotocols and the forwarded headers), and only once the backend accepted,
 * the client's, with the subprotocol the backend chose; then frames both ways, each direction written as fast as
 * the other side takes it, and a close on either side closes the other with the same status.
 * <ul>
 * <li>The backend refuses the connection: 503, as any request it did not take; it answers the handshake with
 * anything but 101: 502 (its answer is not passed on).</li>
 * <li>The backend silent longer than the read timeout (nginx's {@code proxy_read_timeout}): both sides closed
 * with 1001.</li>
 * <li>Each upgrade has a connection of its own, outside the backend's pool of kept-alive connections, so long-lived
 * WebSockets never starve ordinary requests.</li>
 * </ul>
 */
public final class WebSocketRelay {

	private static final Log logger = LogFactory.getLog(WebSocketRelay.class);

	/** The largest frame payload relayed, each way (Reactor Netty's default). */
	private static final int MAX_FRAME_PAYLOAD = 65536;

	private final String name;

	private final @Nullable String host;

	private final Duration readTimeout;

	private final HttpClient client;

	WebSocketRelay(String name, SocketAddress address, @Nullable String host, Duration connectTimeout,
			Duration readTimeout) {
		this.name = name;
		this.host = host;
		this.readTimeout = readTimeout;
		this.client = HttpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()))
			.disableRetry(true);
	}

	/**
	 * Whether a request asks for a WebSocket upgrade (RFC 6455 section 4.1): a GET with {@code Upgrade: websocket}
	 * and {@code upgrade} among its {@code Connection} tokens.
	 */
	public static boolean isUpgrade(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		String upgrade = headers.getFirst(HttpHeaders.UPGRADE);
		if (!HttpMethod.GET.equals(request.getMethod()) || upgrade == null
				|| !upgrade.trim().equalsIgnoreCase("websocket")) {
			return false;
		}
		for (String value : headers.getOrEmpty(HttpHeaders.CONNECTION)) {
			for (String token : value.split(",")) {
				if (token.trim().equalsIgnoreCase("upgrade")) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Relay a WebSocket: completes once the client's upgrade is done (the frames go on in the background, until
	 * either side closes).
	 * @param exchange the client's upgrade request, on Reactor Netty
	 * @param request the same request as the gateway describes it
	 */
	public Mono<Void> relay(ServerWebExchange exchange, GatewayRequest request) {
		HttpServerResponse response = ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
		String protocols = String.join(",", request.headers().getOrEmpty("Sec-WebSocket-Protocol"));
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder()
			.handlePing(false)
			.maxFramePayloadLength(MAX_FRAME_PAYLOAD);
		if (!protocols.isBlank()) {
			spec.protocols(protocols);
		}
		AtomicBoolean upgraded = new AtomicBoolean();
		return this.client
			.headers((headers) -> HttpRequestHeaders.write(request, this.host, -1, (name, value) -> {
				// The handshake's own fields are the client handshaker's: a fresh key for this hop.
				if (!name.toLowerCase(Locale.ROOT).startsWith("sec-websocket-")) {
					headers.add(name, value);
				}
			}))
			.websocket(spec.build())
			.uri(request.rawTarget())
			// Connected rather than handled: a handler's subscription ends with the backend connection, which would
			// cut the client's side off before the backend's close status reached it.
			.connect()
			.flatMap((backend) -> {
				if (!(backend instanceof WebsocketInbound fromBackend && backend instanceof WebsocketOutbound toBackend)) {
					backend.dispose();
					return Mono.error(new IllegalStateException("not a WebSocket connection"));
				}
				// sendWebsocket completes once the client's upgrade is done; the relay goes on in its handler, which
				// lets go of the backend connection when both directions are closed.
				return response.sendWebsocket((fromClient, toClient) -> {
					upgraded.set(true);
					return Mono.when(pipe(fromBackend, toClient, true), pipe(fromClient, toBackend, false))
						.doFinally((signal) -> backend.dispose());
				}, serverSpec(fromBackend.selectedSubprotocol())).doFinally((signal) -> {
					if (!upgraded.get()) {
						backend.dispose();
					}
				});
			})
			.onErrorMap((ex) -> !upgraded.get(), (ex) -> {
				BackendException failure = HttpBackendFailures.map(this.name, ex, false, 0);
				if (failure.getStatusCode().value() != 503) {
					return BackendException.broken(this.name + " did not accept the WebSocket upgrade ("
							+ BackendException.describe(ex) + ")", true, ex);
				}
				return failure;
			})
			.onErrorResume((ex) -> upgraded.get(), (ex) -> {
				logger.debug("WebSocket relay to " + this.name + " ended with an error", ex);
				return Mono.empty();
			});
	}

	private static WebsocketServerSpec serverSpec(@Nullable String subprotocol) {
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			.handlePing(false)
			.maxFramePayloadLength(MAX_FRAME_PAYLOAD);
		if (subprotocol != null && !subprotocol.isEmpty()) {
			spec.protocols(subprotocol);
		}
		return spec.build();
	}

	/**
	 * Relay the frames of one direction, then its close; {@code timed}: a silence longer than the read timeout
	 * closes both sides.
	 * <p>Each frame is written on its own and a failed write drops only that frame: a write failing because the
	 * other side is gone must not cancel this side's inbound, since Reactor Netty answers a cancelled inbound with
	 * a close without status, which would overtake the close (and status) the other direction is passing on.
	 */
	private Mono<Void> pipe(WebsocketInbound from, WebsocketOutbound to, boolean timed) {
		var frames = from.receiveFrames()
			.map(WebSocketFrame::retain)
			.doOnDiscard(ReferenceCounted.class, (discarded) -> {
				if (discarded.refCnt() > 0) {
					ReferenceCountUtil.safeRelease(discarded);
				}
			});
		if (timed) {
			frames = frames.timeout(this.readTimeout);
		}
		return frames
			.concatMap((frame) -> to.sendObject(Mono.just(frame)).then().onErrorResume((ex) -> Mono.empty()), 1)
			.then(from.receiveCloseStatus()
				.defaultIfEmpty(WebSocketCloseStatus.NORMAL_CLOSURE)
				.flatMap((status) -> to.sendClose(closeCode(status), status.reasonText())))
			.onErrorResume(TimeoutException.class,
					(ex) -> to.sendClose(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "backend silent")
						.then(Mono.fromRunnable(() -> from.withConnection((connection) -> connection.dispose()))))
			.onErrorResume((ex) -> to.sendClose(WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code(), "")
				.onErrorResume((closeFailure) -> Mono.empty()));
	}

	/**
	 * Return the code to pass on. 1005, 1006 and 1015 only describe what happened and may not be sent (RFC 6455
	 * section 7.4.1): a close without status stands for a normal closure, a connection lost without a close for
	 * the other side going away (1001).
	 */
	private static int closeCode(WebSocketCloseStatus status) {
		return switch (status.code()) {
			case 1005 -> WebSocketCloseStatus.NORMAL_CLOSURE.code();
			case 1006, 1015 -> WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code();
			default -> status.code();
		};
	}

}
