package dev.lighttpdboot.gateway.route;

import dev.lighttpdboot.gateway.BackendException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Holds a backend's response body to the {@code Content-Length} its head declared. That header frames the
 * response on the client's connection, so a body of another length would desynchronise it: bytes beyond the
 * declared length would be read by the client as the next response (response splitting), and a body that ends
 * early would leave the client waiting and take the next response's bytes for the rest of this body.
 * <ul>
 * <li>Bytes beyond the declared length are dropped: the body ends after exactly the declared bytes, and the
 * caller is told, so that it closes the client connection behind the complete response. (Failing the body
 * instead would close the connection at once, before the declared bytes were flushed.)</li>
 * <li>A body that ends short fails with a {@link BackendException} (502, raised after the head was sent): the
 * client connection is closed, and the client sees an incomplete response.</li>
 * </ul>
 */
public final class DeclaredContentLength {

	private DeclaredContentLength() {
	}

	/**
	 * Return the body, failing it as soon as it is found to differ from the declared length.
	 * @param body the body from the backend
	 * @param declared the length its head declared, at least 0
	 * @param backend the backend's name, for the reason text
	 * @param excess called once when bytes beyond the declared length were dropped, after the last declared byte
	 * was passed on
	 */
	public static Flux<DataBuffer> enforce(Flux<DataBuffer> body, long declared, String backend, Runnable excess) {
		return Flux.defer(() -> {
			long[] passed = new long[1];
			return body.<DataBuffer>handle((buffer, sink) -> {
				long room = declared - passed[0];
				int length = buffer.readableByteCount();
				if (length <= room) {
					passed[0] += length;
					sink.next(buffer);
					return;
				}
				if (room > 0) {
					// The declared bytes go out; the rest is never sent.
					buffer.writePosition(buffer.readPosition() + (int) room);
					passed[0] += room;
					sink.next(buffer);
				}
				else {
					DataBufferUtils.release(buffer);
				}
				excess.run();
				sink.complete();
			}).concatWith(Mono.defer(() -> (passed[0] < declared)
					? Mono.error(BackendException.broken(backend + " ended its body after " + passed[0] + " of "
							+ declared + " declared bytes", false, null))
					: Mono.empty()));
		});
	}

}
