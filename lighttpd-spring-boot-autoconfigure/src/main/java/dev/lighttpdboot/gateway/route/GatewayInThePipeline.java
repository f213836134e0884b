package dev.lighttpdboot.gateway.route;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;

import dev.lighttpdboot.gateway.BackendCall;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.ajp13.Ajp13Protocol;
import dev.lighttpdboot.gateway.fastcgi.FastCgiProtocol;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import dev.lighttpdboot.sendfile.SendfileHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.support.Netty4HeadersAdapter;

/**
 * Calls the backends of gateway routes from the client connection's pipeline, before Reactor Netty's HTTP handling
 * and WebFlux see the request ({@code lighttpd.gateway.dispatch=netty}). Only a bodiless GET whose FastCGI or AJP13
 * route would call a backend at once is taken ({@link #candidate}), and only an answer that came whole with its head, with no
 * X-Sendfile to act on, is written from the pipeline, in one write framed by its length, as the ordinary way writes
 * it. Every other answer (a body still coming, an X-Sendfile, a backend that failed: 502, 503, 504) goes on to
 * {@link GatewayHandlerMapping} with the request, which answers it as it answers every call of its own, error pages
 * included: a backend is called once per request, whichever way answers.
 * <p>What the pipeline gives up is what WebFlux would do before the gateway's mapping: the application's
 * {@code WebFilter}s (Spring Security's too) never see a request taken here, nor does the {@code http.server.requests}
 * observation; the gateway's own observation, metrics and access-log line stay.
 */
public final class GatewayInThePipeline {

	/** Request headers that name another client, scheme or host than the connection's: the ordinary way decides. */
	private static final CharSequence[] FORWARDING = { "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto",
			"X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Ssl" };

	private static final String X_ACCEL_BUFFERING = "X-Accel-Buffering";

	/**
	 * The protocols whose answers can come whole with their head ({@link GatewayResponse#completeBodyLength()}):
	 * their records say where an answer ends. An SCGI answer ends when its connection closes, and the HTTP backend
	 * hands its head on at once: the pipeline would hand every one of those on, at a cost and for nothing.
	 */
	private static final Set<String> WHOLE_ANSWERS = Set.of(FastCgiProtocol.NAME, Ajp13Protocol.NAME);

	private final GatewayHandlerMapping mapping;

	/**
	 * Create the calls of a gateway's routes.
	 * @param mapping the gateway's mapping, whose routes and pools are called
	 */
	public GatewayInThePipeline(GatewayHandlerMapping mapping) {
		this.mapping = mapping;
	}

	/**
	 * Return the call a request would make at once, or {@code null} if the request goes the ordinary way: not a
	 * GET, forwarded (a proxy's headers name the client), or a path of no route, or one its route refuses or must
	 * look up first.
	 * @param head the request's head; the caller has checked that it is HTTP/1.1, kept alive, with no body
	 * @param rawPath its path, as received
	 * @return the call, or {@code null}
	 */
	public @Nullable Call candidate(HttpRequest head, String rawPath) {
		if (head.method() != io.netty.handler.codec.http.HttpMethod.GET
				|| !head.headers().contains(HttpHeaderNames.HOST)) {
			return null;
		}
		for (CharSequence name : FORWARDING) {
			if (head.headers().contains(name)) {
				return null;
			}
		}
		GatewayHandlerMapping.Routed routed = this.mapping.routeCalledAtOnce(rawPath);
		return (routed != null && WHOLE_ANSWERS.contains(routed.route().pool().protocol())) ? new Call(routed, rawPath)
				: null;
	}

	/**
	 * Call the backend for a request: its answer to write, or nothing when the ordinary way is to answer it (with
	 * what the backend answered kept for it, see {@link GatewayHandoff}). Never fails.
	 * @param call what {@link #candidate} returned for the request
	 * @param head the request's head
	 * @param channel the client's connection
	 * @return the answer, or empty to pass the request on
	 */
	public Mono<Answer> call(Call call, HttpRequest head, Channel channel) {
		GatewayRoute route = call.routed().route();
		String target = call.routed().target();
		GatewayRequest request = new GatewayRequest(HttpMethod.GET, head.uri(),
				new HttpHeaders(new Netty4HeadersAdapter(head.headers())), inet(channel.remoteAddress()),
				inet(channel.localAddress()), (channel.pipeline().get(SslHandler.class) != null) ? "https" : "http",
				head.headers().get(HttpHeaderNames.HOST), "HTTP/1.1", call.rawPath(), SpooledBody.EMPTY,
				call.routed().script());
		return Mono.defer(() -> {
			long called = System.nanoTime();
			return this.mapping.call(route, request, target)
				.flatMap((response) -> answer(route, target, response, called, channel))
				.onErrorResume((ex) -> {
					GatewayHandoff.put(channel, new GatewayHandoff.Handed(route, target, null, ex, called));
					return Mono.empty();
				});
		});
	}

	/**
	 * Discard what was kept for the ordinary way and not taken (the request was answered before the gateway's
	 * mapping), once the request's response has ended or its connection closed.
	 * @param channel the client's connection
	 */
	public void discardHandoff(Channel channel) {
		GatewayHandoff.discard(channel);
	}

	private Mono<Answer> answer(GatewayRoute route, String target, GatewayResponse response, long called,
			Channel channel) {
		HttpHeaders backendHeaders = response.head().headers();
		int status = response.head().status().value();
		long whole = response.completeBodyLength();
		long declared = backendHeaders.getContentLength();
		// Decided on the backend's own headers, before anything is copied. They hold what the copy would (hop-by-hop
		// headers aside), so an answer is never taken here that the ordinary way would treat otherwise.
		if (whole < 0 || status < 200 || status == 204 || status == 304 || (declared >= 0 && declared != whole)
				|| this.mapping.sendsFile(route, backendHeaders)) {
			// Not whole yet, bodiless by its status, framed by the backend, or a file to send: as always.
			GatewayHandoff.put(channel, new GatewayHandoff.Handed(route, target, response, null, called));
			return Mono.empty();
		}
		// Copied once, straight into the headers the answer is written with, leaving out what the ordinary way takes
		// from every response: the choice of buffering, meant for this server, and the sendfile headers of a route
		// that may not use them.
		io.netty.handler.codec.http.HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
		try {
			GatewayHandlerMapping.copyEndToEndHeaders(response, headers, GatewayInThePipeline::leftOut);
		}
		catch (IllegalArgumentException ex) {
			// A header Netty will not write (the parsers refuse such answers before): the ordinary way answers it
			// as it answers it there, and frees the backend's answer.
			GatewayHandoff.put(channel, new GatewayHandoff.Handed(route, target, response, null, called));
			return Mono.empty();
		}
		String backend = (response.backend() != null) ? response.backend() : route.name();
		Mono<ByteBuf> body = (whole > 0)
				? DataBufferUtils.join(response.body()).map(NettyDataBufferFactory::toByteBuf)
				: response.body().doOnNext(DataBufferUtils::release).then(Mono.empty());
		return body.defaultIfEmpty(Unpooled.EMPTY_BUFFER).map((bytes) -> {
			headers.set(HttpHeaderNames.CONTENT_LENGTH, whole);
			FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
					HttpResponseStatus.valueOf(status), bytes, headers,
					DefaultHttpHeadersFactory.trailersFactory().newHeaders());
			return new Answer(full,
					new BackendCall(route.name(), backend, Duration.ofNanos(System.nanoTime() - called)));
		});
	}

	private static boolean leftOut(String name) {
		return X_ACCEL_BUFFERING.equalsIgnoreCase(name) || SendfileHeaders.isStrippedByStripAll(name);
	}

	private static @Nullable InetSocketAddress inet(@Nullable SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet : null;
	}

	/**
	 * A request's route, and what the route made of its path.
	 */
	public static final class Call {

		private final GatewayHandlerMapping.Routed routed;

		private final String rawPath;

		Call(GatewayHandlerMapping.Routed routed, String rawPath) {
			this.routed = routed;
			this.rawPath = rawPath;
		}

		GatewayHandlerMapping.Routed routed() {
			return this.routed;
		}

		String rawPath() {
			return this.rawPath;
		}

	}

	/**
	 * An answer to write from the pipeline.
	 * @param response the whole response, framed by its length
	 * @param call what the backend call was, for the access log
	 */
	public record Answer(FullHttpResponse response, BackendCall call) {
	}

}
