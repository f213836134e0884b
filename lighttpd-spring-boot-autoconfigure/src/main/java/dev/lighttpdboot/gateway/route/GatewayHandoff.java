package dev.lighttpdboot.gateway.route;

import dev.lighttpdboot.gateway.GatewayResponse;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * Hands what a backend called from the connection's pipeline answered ({@link GatewayInThePipeline}) to
 * {@link GatewayHandlerMapping}, when the answer needs the ordinary way: an X-Sendfile, a body still coming, an
 * error page. It is kept on the client's channel for the one request the pipeline passes on next, and taken once.
 * The pipeline passes that request on only while no other request of the connection is with Reactor Netty, so the
 * next exchange of the channel is its own; whatever is not taken by the end of its response is discarded.
 */
final class GatewayHandoff {

	private static final AttributeKey<Handed> KEY = AttributeKey.valueOf(GatewayHandoff.class.getName());

	private GatewayHandoff() {
	}

	/**
	 * Keep an answer for the next request passed on from a channel, discarding one kept before.
	 */
	static void put(Channel channel, Handed handed) {
		Handed earlier = channel.attr(KEY).getAndSet(handed);
		if (earlier != null) {
			earlier.discard();
		}
	}

	/**
	 * Take the answer kept for a request, if any.
	 */
	static @Nullable Handed take(ServerHttpRequest request) {
		Object nativeRequest;
		try {
			nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// Not a request of a running server (a mock): nothing was kept for it.
			return null;
		}
		if (nativeRequest instanceof Connection connection) {
			return connection.channel().attr(KEY).getAndSet(null);
		}
		return null;
	}

	/**
	 * Discard what a channel kept and nobody took: a filter answered the request before the gateway saw it.
	 */
	static void discard(Channel channel) {
		Handed handed = channel.attr(KEY).getAndSet(null);
		if (handed != null) {
			handed.discard();
		}
	}

	/**
	 * A backend's answer, or its failure, for a request that the ordinary way answers.
	 * @param route the route that called the backend
	 * @param target what log lines name: the script, or the path
	 * @param response the backend's response, or {@code null} for a failure
	 * @param failure why no backend answered, or {@code null}
	 * @param calledNanos when the call began ({@link System#nanoTime()})
	 */
	record Handed(GatewayRoute route, String target, @Nullable GatewayResponse response, @Nullable Throwable failure,
			long calledNanos) {

		/** The answer as the ordinary way consumes it. */
		Mono<GatewayResponse> answer() {
			if (this.response != null) {
				return Mono.just(this.response);
			}
			return Mono.error((this.failure != null) ? this.failure : new IllegalStateException("no answer"));
		}

		/** Read the rest of an answer nobody answers with, so that its buffers and its connection are freed. */
		void discard() {
			if (this.response != null) {
				this.response.body().doOnNext(DataBufferUtils::release).subscribe((ignored) -> {
				}, (ex) -> {
				});
			}
		}

	}

}
