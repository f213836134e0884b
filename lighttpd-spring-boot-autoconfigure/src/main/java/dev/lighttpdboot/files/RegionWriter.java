package dev.lighttpdboot.files;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Writes a region of an {@link OpenFile} as a response body, zero-copy ({@code sendfile(2)} from the open
 * descriptor) whenever the response lets it, optionally after a few bytes of prefix (a pseudo-streaming format
 * header). The file is never opened again by name.
 * <ul>
 * <li>Zero-copy: WebFlux commits the response (status, headers, {@code beforeCommit} actions), then the region goes
 * out on the native Reactor Netty response as a {@link DefaultFileRegion} over the open channel.</li>
 * <li>Otherwise (a decorator hides the native response; TLS, HTTP/2 or compression, which cannot use
 * {@code sendfile}): positional reads from the same channel into buffers, on the file-system scheduler.</li>
 * </ul>
 * The caller sets status and headers, Content-Length included, before calling, and closes the file when the
 * returned {@link Mono} ends, however it ends; the zero-copy path may close it earlier, after the last byte.
 */
public final class RegionWriter {

	private static final int BUFFER_SIZE = 64 * 1024;

	private final FileSystemScheduler fileSystem;

	public RegionWriter(FileSystemScheduler fileSystem) {
		this.fileSystem = fileSystem;
	}

	/**
	 * Write {@code count} bytes of an open file from {@code position}.
	 */
	public Mono<Void> write(ServerHttpResponse response, OpenFile file, long position, long count) {
		HttpServerResponse nativeResponse = nativeOf(response);
		if (nativeResponse != null) {
			// setComplete commits without writing: WebFlux applies status, headers and beforeCommit actions to the
			// native response. Its headers then go out on their own, so that what Reactor Netty decides with them
			// (compression) is known before the body is chosen.
			return response.setComplete()
				.then(Mono.defer(() -> nativeResponse.sendHeaders().then()))
				.then(Mono.defer(() -> sendBody(response.bufferFactory(), nativeResponse, file, position, count)));
		}
		return response.writeWith(read(response.bufferFactory(), file, position, count));
	}

	/**
	 * Write a prefix and then {@code count} bytes of an open file from {@code position}.
	 */
	public Mono<Void> write(ServerHttpResponse response, byte[] prefix, OpenFile file, long position, long count) {
		HttpServerResponse nativeResponse = nativeOf(response);
		if (nativeResponse != null) {
			// WebFlux commits status, headers and beforeCommit actions with the prefix; the region then follows on
			// the same Reactor Netty response. The prefix must be a Flux: with a Mono, Reactor Netty would take it
			// for the whole body and drop the region.
			return response.writeWith(Flux.defer(() -> Flux.just(response.bufferFactory().wrap(prefix.clone()))))
				.then(Mono.defer(() -> sendBody(response.bufferFactory(), nativeResponse, file, position, count)));
		}
		return response.writeWith(Flux.concat(Mono.fromSupplier(() -> response.bufferFactory().wrap(prefix.clone())),
				read(response.bufferFactory(), file, position, count)));
	}

	/**
	 * Write several file regions, one after the other: zero-copy when there is one, copied through buffers when
	 * there are several.
	 */
	public Mono<Void> write(ServerHttpResponse response, List<Region> regions) {
		if (regions.size() == 1) {
			Region region = regions.get(0);
			return write(response, region.file(), region.position(), region.count());
		}
		return response.writeWith(Flux.fromIterable(regions)
			.concatMap((region) -> read(response.bufferFactory(), region.file(), region.position(), region.count())));
	}

	/**
	 * Write {@code count} bytes of a file the application named itself (a handler's own
	 * {@link ZeroCopyHttpOutputMessage#writeWith(Path, long, long)}, passed through); no root applies to it, so it
	 * is opened by name as Spring would.
	 */
	public Mono<Void> write(ServerHttpResponse response, Path path, long position, long count) {
		if (response instanceof ZeroCopyHttpOutputMessage zeroCopy) {
			return zeroCopy.writeWith(path, position, count);
		}
		Flux<DataBuffer> buffers = DataBufferUtils.readAsynchronousFileChannel(
				() -> AsynchronousFileChannel.open(path, StandardOpenOption.READ), position, response.bufferFactory(),
				BUFFER_SIZE);
		return response.writeWith(DataBufferUtils.takeUntilByteCount(buffers, count)
			.subscribeOn(this.fileSystem.scheduler()));
	}

	/**
	 * Read {@code count} bytes of an open file from {@code position} into buffers, with positional reads (the
	 * channel's own position is not used, so several regions of one file may be read), on the file-system
	 * scheduler. The file is not closed.
	 */
	public Flux<DataBuffer> read(DataBufferFactory bufferFactory, OpenFile file, long position, long count) {
		return Flux.<DataBuffer, long[]>generate(() -> new long[] { position, count }, (state, sink) -> {
			long remaining = state[1];
			if (remaining <= 0) {
				sink.complete();
				return state;
			}
			int size = (int) Math.min(BUFFER_SIZE, remaining);
			DataBuffer buffer = bufferFactory.allocateBuffer(size);
			boolean emitted = false;
			try {
				int read;
				try (DataBuffer.ByteBufferIterator iterator = buffer.writableByteBuffers()) {
					ByteBuffer target = iterator.next();
					if (target.remaining() > size) {
						target.limit(target.position() + size);
					}
					read = file.channel().read(target, state[0]);
				}
				if (read < 0) {
					// Shrunk under us: the headers promised more. Ending the response early is all that is left.
					sink.error(new EOFException("file ended " + remaining + " bytes early: " + file.snapshot().path()));
					return state;
				}
				buffer.writePosition(buffer.writePosition() + read);
				state[0] += read;
				state[1] -= read;
				sink.next(buffer);
				emitted = true;
			}
			catch (IOException ex) {
				sink.error(ex);
			}
			finally {
				if (!emitted) {
					DataBufferUtils.release(buffer);
				}
			}
			return state;
		}).subscribeOn(this.fileSystem.scheduler());
	}

	/**
	 * A region of an open file.
	 *
	 * @param file the file
	 * @param position the first byte
	 * @param count the number of bytes
	 */
	public record Region(OpenFile file, long position, long count) {
	}

	/**
	 * Send the body on a native response whose headers are out: as a {@link DefaultFileRegion} over the open
	 * channel, unless the connection transforms body bytes (TLS, HTTP/2, compression), which a region would
	 * bypass; then as buffers read from the same channel. These are the cases in which Reactor Netty's own
	 * {@code sendFile} refuses {@code sendfile(2)} too.
	 */
	private Mono<Void> sendBody(DataBufferFactory bufferFactory, HttpServerResponse nativeResponse, OpenFile file,
			long position, long count) {
		if (nativeResponse instanceof Connection connection && transformsBody(connection.channel())) {
			return nativeResponse.send(read(bufferFactory, file, position, count).map(NettyDataBufferFactory::toByteBuf))
				.then();
		}
		// Reactor Netty's sendFile(path) would open the path again; sendUsing sends from our descriptor. The region
		// holds the descriptor until Netty releases it, however early the file is closed.
		return nativeResponse.sendUsing(() -> file, (connection, opened) -> opened.region(position, count),
				OpenFile::close)
			.then();
	}

	/**
	 * The native Reactor Netty response, when the response is (or exposes) {@link ZeroCopyHttpOutputMessage}: no
	 * decorator in between wants to see the body.
	 */
	private static @Nullable HttpServerResponse nativeOf(ServerHttpResponse response) {
		if (!(response instanceof ZeroCopyHttpOutputMessage)) {
			return null;
		}
		try {
			Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
			return (nativeResponse instanceof HttpServerResponse httpServerResponse
					&& nativeResponse instanceof Connection) ? httpServerResponse : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Whether a connection transforms the body bytes written to it (TLS, HTTP/2, compression), so that a
	 * {@link DefaultFileRegion} written to it would bypass the transformation; never blocks.
	 * @param channel the connection (an HTTP/2 stream's child channel included)
	 * @return {@code true} if a file must be sent as buffers read from it rather than as a region
	 */
	public static boolean transformsBody(Channel channel) {
		Channel parent = channel.parent();
		if (parent != null && parent.pipeline().get(NettyPipeline.H2MultiplexHandler) != null) {
			return true;
		}
		ChannelPipeline pipeline = channel.pipeline();
		return pipeline.get(SslHandler.class) != null || pipeline.get(NettyPipeline.CompressionHandler) != null;
	}

}
