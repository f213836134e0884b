package dev.lighttpdboot.uploadprogress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Puts an {@link UploadProgressCounter} into every connection of a Reactor Netty {@link HttpServer}, right after
 * the HTTP codec, where it sees decoded request heads and body chunks as they are read from the socket.
 * <ul>
 * <li>HTTP/1.1: when the connection's pipeline is built. The codec is found by type, because with HTTP/2 (h2c)
 * enabled Reactor Netty does not give it its usual name.</li>
 * <li>HTTP/2: each stream has a pipeline of its own, built after the request head has passed. The counter is added
 * after the stream's HTTP/2-to-HTTP/1.1 codec when the stream's connection is observed, and seeded with the id read
 * from the request.</li>
 * </ul>
 */
public final class UploadProgressPipeline {

	/** The name of the counter in the pipeline. */
	public static final String HANDLER_NAME = "lighttpd.uploadProgressCounter";

	private final UploadProgressStore store;

	private final UploadProgressMetrics metrics;

	/**
	 * Create the installer.
	 * @param store where counters report progress
	 * @param metrics receives upload events
	 */
	public UploadProgressPipeline(UploadProgressStore store, UploadProgressMetrics metrics) {
		this.store = store;
		this.metrics = metrics;
	}

	/**
	 * Return {@code server} configured to count uploads.
	 */
	public HttpServer install(HttpServer server) {
		return server.doOnChannelInit((observer, channel, remoteAddress) -> addAfterCodec(channel.pipeline()))
			.doOnConnection((connection) -> {
				if (connection.channel() instanceof Http2StreamChannel && connection instanceof HttpServerRequest request) {
					addToStream(connection.channel().pipeline(), request);
				}
			});
	}

	private void addAfterCodec(ChannelPipeline pipeline) {
		ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
		if (codec != null && pipeline.get(HANDLER_NAME) == null) {
			pipeline.addAfter(codec.name(), HANDLER_NAME, new UploadProgressCounter(this.store, this.metrics));
		}
	}

	private void addToStream(ChannelPipeline pipeline, HttpServerRequest request) {
		if (pipeline.get(NettyPipeline.H2ToHttp11Codec) == null || pipeline.get(HANDLER_NAME) != null) {
			return;
		}
		HttpMethod method = request.method();
		if (!UploadProgressCounter.mayUpload(method)) {
			return;
		}
		String id = ProgressIds.find(request.requestHeaders().get(ProgressIds.NAME), request.uri());
		if (id == null) {
			return;
		}
		long size = -1;
		String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
		if (length != null) {
			try {
				size = Long.parseLong(length.trim());
			}
			catch (NumberFormatException ex) {
				// The codec has refused such a request already; count it with an unknown size.
			}
		}
		UploadProgressCounter counter = new UploadProgressCounter(this.store, this.metrics);
		pipeline.addAfter(NettyPipeline.H2ToHttp11Codec, HANDLER_NAME, counter);
		counter.begin(id, size);
	}

}
