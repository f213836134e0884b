package dev.lighttpdboot.files;

import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Writes a region of a file as a response body, zero-copy ({@code sendfile(2)}) whenever the response lets it,
 * optionally after a few bytes of prefix (a pseudo-streaming format header).
 * <p>The caller sets status and headers, Content-Length included, before calling.
 */
public final class RegionWriter {

	private static final int BUFFER_SIZE = 64 * 1024;

	private final FileSystemScheduler fileSystem;

	public RegionWriter(FileSystemScheduler fileSystem) {
		this.fileSystem = fileSystem;
	}

	/**
	 * Write {@code count} bytes of a file from {@code position}.
	 */
	public Mono<Void> write(ServerHttpResponse response, Path path, long position, long count) {
		if (response instanceof ZeroCopyHttpOutputMessage zeroCopy) {
			return zeroCopy.writeWith(path, position, count);
		}
		// A decorator hides the native response: copy through buffers, opened off the event loop.
		return response.writeWith(read(response, path, position, count));
	}

	/**
	 * Write a prefix and then {@code count} bytes of a file from {@code position}.
	 */
	public Mono<Void> write(ServerHttpResponse response, byte[] prefix, Path path, long position, long count) {
		DataBuffer head = response.bufferFactory().wrap(prefix.clone());
		HttpServerResponse nativeResponse = (response instanceof ZeroCopyHttpOutputMessage) ? nativeOf(response) : null;
		if (nativeResponse != null) {
			// WebFlux commits status, headers and beforeCommit actions with the prefix; the region then follows on
			// the same Reactor Netty response. The prefix must be a Flux: with a Mono, Reactor Netty would take it
			// for the whole body and drop the region.
			return response.writeWith(Flux.just(head))
				.then(Mono.defer(() -> nativeResponse.sendFile(path, position, count).then()));
		}
		return response.writeWith(Flux.concat(Mono.just(head), read(response, path, position, count)));
	}

	/**
	 * Write several file regions, one after the other: zero-copy when there is one, copied through buffers when
	 * there are several.
	 */
	public Mono<Void> write(ServerHttpResponse response, List<Region> regions) {
		if (regions.size() == 1) {
			Region region = regions.get(0);
			return write(response, region.path(), region.position(), region.count());
		}
		return response.writeWith(Flux.fromIterable(regions)
			.concatMap((region) -> read(response, region.path(), region.position(), region.count())));
	}

	/**
	 * A region of a file.
	 *
	 * @param path the file
	 * @param position the first byte
	 * @param count the number of bytes
	 */
	public record Region(Path path, long position, long count) {
	}

	private Flux<DataBuffer> read(ServerHttpResponse response, Path path, long position, long count) {
		Flux<DataBuffer> buffers = DataBufferUtils.readAsynchronousFileChannel(
				() -> AsynchronousFileChannel.open(path, StandardOpenOption.READ), position, response.bufferFactory(),
				BUFFER_SIZE);
		return DataBufferUtils.takeUntilByteCount(buffers, count).subscribeOn(this.fileSystem.scheduler());
	}

	private static HttpServerResponse nativeOf(ServerHttpResponse response) {
		try {
			Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
			return (nativeResponse instanceof HttpServerResponse httpServerResponse) ? httpServerResponse : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
