package dev.lighttpdboot.server;

import java.time.Duration;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import reactor.netty.http.Http2SettingsSpec;
import reactor.netty.http.server.HttpServer;

/**
 * Applies {@link ServerLimits} to a Reactor Netty {@link HttpServer}: what Reactor Netty offers is set through
 * its own API (keep-alive idle timeout, body read timeout, keep-alive request limit, HTTP/2 settings and reset
 * limits), the rest is added to each connection's pipeline:
 * <ul>
 * <li>{@link ConnectionLimit}: when the connection is initialised, before anything is read;</li>
 * <li>{@link SendTimeoutHandler}: at the front of every connection's pipeline (it watches the socket's outbound
 * buffer, so it also covers TLS and HTTP/2 connections);</li>
 * <li>{@link RequestHeadTimeout} and {@link StrictRequestValidator}: around and after the HTTP/1.1 codec, which is
 * found by type because with h2c enabled Reactor Netty does not give it its usual name. HTTP/2 streams do not pass
 * there: their heads arrive in one HEADERS block, bounded by the HTTP/2 settings.</li>
 * </ul>
 * Values set here are Reactor Netty defaults of the server: a customizer applied later (such as Spring Boot's for
 * {@code server.netty.idle-timeout} and {@code server.netty.max-keep-alive-requests}) replaces them.
 */
public final class ServerLimitsPipeline {

	private final ServerLimits limits;

	private final ServerRefusals refusals;

	private final ConnectionLimit connectionLimit;

	/**
	 * Create the installer.
	 * @param limits the limits to enforce
	 * @param refusals receives each refusal
	 */
	public ServerLimitsPipeline(ServerLimits limits, ServerRefusals refusals) {
		this.limits = limits;
		this.refusals = refusals;
		this.connectionLimit = (limits.maxConnections() > 0) ? new ConnectionLimit(limits.maxConnections(), refusals)
				: null;
	}

	/**
	 * Return {@code server} configured with the limits.
	 */
	public HttpServer install(HttpServer server) {
		HttpServer configured = server;
		if (ServerLimits.enabled(this.limits.keepAliveTimeout())) {
			configured = configured.idleTimeout(this.limits.keepAliveTimeout());
		}
		if (ServerLimits.enabled(this.limits.bodyTimeout())) {
			configured = configured.readTimeout(this.limits.bodyTimeout());
		}
		if (this.limits.maxKeepAliveRequests() > 0) {
			configured = configured.maxKeepAliveRequests(this.limits.maxKeepAliveRequests());
		}
		configured = configured.http2Settings(this::http2Settings);
		return configured.doOnChannelInit((observer, channel, remoteAddress) -> initChannel(channel));
	}

	/** The number of connections held now, or -1 when they are not limited. */
	public int openConnections() {
		return (this.connectionLimit != null) ? this.connectionLimit.open() : -1;
	}

	private void http2Settings(Http2SettingsSpec.Builder builder) {
		ServerLimits.Http2 http2 = this.limits.http2();
		if (http2.maxConcurrentStreams() > 0) {
			builder.maxConcurrentStreams(http2.maxConcurrentStreams());
		}
		Duration window = http2.resetFramesWindow();
		if (http2.maxResetFrames() > 0 && ServerLimits.enabled(window)) {
			builder.maxDecodedRstFramesPerWindow(http2.maxResetFrames(), (int) Math.max(1, window.toSeconds()));
		}
	}

	private void initChannel(Channel channel) {
		if (this.connectionLimit != null && !this.connectionLimit.admit(channel)) {
			return;
		}
		ChannelPipeline pipeline = channel.pipeline();
		if (ServerLimits.enabled(this.limits.sendTimeout()) && pipeline.get(SendTimeoutHandler.NAME) == null) {
			pipeline.addFirst(SendTimeoutHandler.NAME,
					new SendTimeoutHandler(this.limits.sendTimeout().toNanos(), this.refusals));
		}
		installHttp11(pipeline);
	}

	private void installHttp11(ChannelPipeline pipeline) {
		ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
		if (codec == null) {
			return;
		}
		if (ServerLimits.enabled(this.limits.headerTimeout())) {
			new RequestHeadTimeout(this.limits.headerTimeout().toNanos(), this.refusals).install(pipeline);
		}
		if (this.limits.strictHttp() && pipeline.get(StrictRequestValidator.NAME) == null) {
			// Right after the codec, so a refused request reaches no other handler.
			pipeline.addAfter(codec.name(), StrictRequestValidator.NAME, new StrictRequestValidator(this.refusals));
		}
	}

}
