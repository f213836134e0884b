package dev.lighttpdboot.server;

import java.time.Duration;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.flush.FlushConsolidationHandler;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.Http2SettingsSpec;
import reactor.netty.http.server.HttpServer;

/**
 * Applies {@link ServerLimits} to a Reactor Netty {@link HttpServer}: what Reactor Netty offers is set through
 * its own API (keep-alive idle timeout, body read timeout, keep-alive request limit; HTTP/2 stream and reset limits
 * by {@link #applyHttp2Settings}), the rest is added to each connection's pipeline:
 * <ul>
 * <li>on the listening socket, up to {@value #ACCEPTS_PER_READ} pending connections accepted at a time;</li>
 * <li>{@link ConnectionLimit}: when the connection is initialised, before anything is read;</li>
 * <li>on each connection's socket (epoll transport), the most bytes it holds that are not sent yet
 * ({@code TCP_NOTSENT_LOWAT}): a large file leaves in writes of about that size as the client takes them. On
 * loopback, where the kernel runs the receiver's side of each segment on the CPU that sends it, an unlimited socket
 * left most of a large file to be sent from the client's acknowledgements, on the client's CPU: with 256 KiB, a
 * 10 MiB file reached wrk 1.4 to 1.6 times as fast (see docs/benchmarks.md);</li>
 * <li>{@link SendTimeoutHandler}: at the front of every connection's pipeline (it watches the socket's outbound
 * buffer, so it also covers TLS and HTTP/2 connections);</li>
 * <li>Netty's {@link FlushConsolidationHandler} in front of it, when flushes are consolidated: a flush waits for
 * the end of the read it was asked in, or, asked outside any read of the connection (an answer written from a
 * backend's connection, or after a hop to another thread), for the end of the event loop's turn. The answers of
 * one turn then leave together, and a client waiting for several is woken once, not once each. Waking a client
 * that sleeps costs the sender more than the write: measured with a client on another core, it was most of the
 * kernel's share of a PHP request (see docs/benchmarks.md).</li>
 * <li>{@link RequestHeadTimeout} and {@link StrictRequestValidator}: around and after the HTTP/1.1 codec, which is
 * found by type because with h2c enabled Reactor Netty does not give it its usual name. HTTP/2 streams do not pass
 * there: their heads arrive in one HEADERS block, bounded by the HTTP/2 settings.</li>
 * </ul>
 * Values set here are Reactor Netty defaults of the server: a customizer applied later (such as Spring Boot's for
 * {@code server.netty.idle-timeout} and {@code server.netty.max-keep-alive-requests}) replaces them.
 */
public final class ServerLimitsPipeline {

	/** The name of the flush consolidation handler in a connection's pipeline. */
	static final String FLUSH_CONSOLIDATION = "lighttpd.flushConsolidation";

	/**
	 * Flushes asked within one read before one is let through anyway (Netty's default): a connection that
	 * pipelines many requests still gets its answers while the read goes on.
	 */
	private static final int FLUSHES_PER_READ = 256;

	/**
	 * The most pending connections accepted at once before the loop serves the connections it holds, as lighttpd
	 * does. Netty's default on epoll is one per turn of the event loop: while the loop's connections keep it busy,
	 * a burst of new clients waits in the kernel's accept queue for seconds (a thousand connections opened at once
	 * against a loaded server: some first requests waited 12 s).
	 */
	static final int ACCEPTS_PER_READ = 100;

	/**
	 * Netty's epoll option {@code TCP_NOTSENT_LOWAT}, by its name: the epoll transport is optional, and the name
	 * gives the same constant whichever class asks first.
	 */
	static final ChannelOption<Long> UNSENT_LIMIT = ChannelOption
		.valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_NOTSENT_LOWAT");

	private final ServerLimits limits;

	private final ServerRefusals refusals;

	private final @Nullable ConnectionLimit connectionLimit;

	private final ProtocolErrorSink protocolErrors;

	/**
	 * Create the installer.
	 * @param limits the limits to enforce
	 * @param refusals receives each refusal
	 */
	public ServerLimitsPipeline(ServerLimits limits, ServerRefusals refusals) {
		this.limits = limits;
		this.refusals = refusals;
		this.protocolErrors = new ProtocolErrorSink(refusals);
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
		configured = configured.option(ChannelOption.RCVBUF_ALLOCATOR, acceptInBatches());
		return configured.doOnChannelInit((observer, channel, remoteAddress) -> initChannel(channel));
	}

	private static ServerChannelRecvByteBufAllocator acceptInBatches() {
		// Netty's epoll channel reads "maybe more" as "the last read filled what was attempted", which an accepted
		// socket never does, so it would stop after one accept whatever the batch; an accept that finds the queue
		// empty ends the batch instead.
		ServerChannelRecvByteBufAllocator allocator = new ServerChannelRecvByteBufAllocator();
		allocator.respectMaybeMoreData(false);
		allocator.maxMessagesPerRead(ACCEPTS_PER_READ);
		return allocator;
	}

	/** The number of connections held now, or -1 when they are not limited. */
	public int openConnections() {
		return (this.connectionLimit != null) ? this.connectionLimit.open() : -1;
	}

	/**
	 * Return {@code server} with the HTTP/2 limits added to its HTTP/2 settings. Values the server's settings
	 * already hold are kept: Reactor Netty replaces the whole settings object on each call, so this merge must run
	 * after every other customizer that sets one (Spring Boot sets the header list size).
	 */
	public HttpServer applyHttp2Settings(HttpServer server) {
		Http2SettingsSpec current = server.configuration().http2SettingsSpec();
		return server.http2Settings((builder) -> {
			if (current != null) {
				copy(current, builder);
			}
			ServerLimits.Http2 http2 = this.limits.http2();
			// Every settings object starts with Netty's default of 100 streams, so 100 means "not chosen".
			Long streams = (current != null) ? current.maxConcurrentStreams() : null;
			if (http2.maxConcurrentStreams() > 0
					&& (streams == null || streams == Http2CodecUtil.SMALLEST_MAX_CONCURRENT_STREAMS)) {
				builder.maxConcurrentStreams(http2.maxConcurrentStreams());
			}
			Duration window = http2.resetFramesWindow();
			if (http2.maxResetFrames() > 0 && ServerLimits.enabled(window)
					&& (current == null || current.maxDecodedRstFramesPerWindow() == null)) {
				builder.maxDecodedRstFramesPerWindow(http2.maxResetFrames(), (int) Math.max(1, window.toSeconds()));
			}
		});
	}

	private static void copy(Http2SettingsSpec from, Http2SettingsSpec.Builder to) {
		if (from.connectProtocolEnabled() != null) {
			to.connectProtocolEnabled(from.connectProtocolEnabled());
		}
		if (from.headerTableSize() != null) {
			to.headerTableSize(from.headerTableSize());
		}
		if (from.initialWindowSize() != null) {
			to.initialWindowSize(from.initialWindowSize());
		}
		if (from.maxConcurrentStreams() != null) {
			to.maxConcurrentStreams(from.maxConcurrentStreams());
		}
		if (from.maxFrameSize() != null) {
			to.maxFrameSize(from.maxFrameSize());
		}
		if (from.maxHeaderListSize() != null) {
			to.maxHeaderListSize(from.maxHeaderListSize());
		}
		if (from.maxStreams() != null) {
			to.maxStreams(from.maxStreams());
		}
		if (from.maxDecodedRstFramesPerWindow() != null && from.maxDecodedRstFramesSecondsPerWindow() != null) {
			to.maxDecodedRstFramesPerWindow(from.maxDecodedRstFramesPerWindow(),
					from.maxDecodedRstFramesSecondsPerWindow());
		}
		if (from.maxEncodedRstFramesPerWindow() != null && from.maxEncodedRstFramesSecondsPerWindow() != null) {
			to.maxEncodedRstFramesPerWindow(from.maxEncodedRstFramesPerWindow(),
					from.maxEncodedRstFramesSecondsPerWindow());
		}
		if (from.pingAckDropThreshold() != null) {
			to.pingAckDropThreshold(from.pingAckDropThreshold());
		}
		if (from.pingAckTimeout() != null) {
			to.pingAckTimeout(from.pingAckTimeout());
		}
	}

	private void initChannel(Channel channel) {
		if (this.connectionLimit != null && !this.connectionLimit.admit(channel)) {
			return;
		}
		if (this.limits.unsentLimit() > 0) {
			// Known to the epoll transport's sockets only; another transport's configuration refuses it quietly.
			channel.config().setOption(UNSENT_LIMIT, this.limits.unsentLimit());
		}
		ChannelPipeline pipeline = channel.pipeline();
		if (ServerLimits.enabled(this.limits.sendTimeout()) && pipeline.get(SendTimeoutHandler.NAME) == null) {
			pipeline.addFirst(SendTimeoutHandler.NAME,
					new SendTimeoutHandler(this.limits.sendTimeout().toNanos(), this.refusals));
		}
		if (this.limits.consolidateFlushes() && pipeline.get(FLUSH_CONSOLIDATION) == null) {
			// First of all, so that every flush of the connection passes it, TLS's included.
			pipeline.addFirst(FLUSH_CONSOLIDATION, new FlushConsolidationHandler(FLUSHES_PER_READ, true));
		}
		if (pipeline.get(ProtocolErrorSink.NAME) == null) {
			pipeline.addLast(ProtocolErrorSink.NAME, this.protocolErrors);
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
