package dev.lighttpdboot.gateway;

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
 * <li>Bytes beyond the declared length are dropped, and the body fails after exactly the declared bytes: the
 * client connection is closed behind a complete response.</li>
 * <li>A body that ends short fails: the client connection is closed, and the client sees an incomplete
 * response.</li>
 * </ul>
 * Either failure is a {@link BackendException} with status 502, raised after the head was sent.
 */
public final class DeclaredContentLength {

	private DeclaredContentLength() {
	}

	/**
	 * Return the body, failing it as soon as it is found to differ from the declared length.
	 * @param body the body from the backend
	 * @param declared the length its head declared, at least 0
	 * @param backend the backend's name, for the reason text
	 */
	public static Flux<DataBuffer> enforce(Flux<DataBuffer> body, long declared, String backend) {
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
					// The declared bytes go out; the connection closes behind them, the rest is never sent.
					buffer.writePosition(buffer.readPosition() + (int) room);
					passed[0] += room;
					sink.next(buffer);
				}
				else {
					DataBufferUtils.release(buffer);
				}
				sink.error(BackendException.broken(backend + " sent more than its Content-Length of " + declared
						+ " bytes", false, null));
			}).concatWith(Mono.defer(() -> (passed[0] < declared)
					? Mono.error(BackendException.broken(backend + " ended its body after " + passed[0] + " of "
							+ declared + " declared bytes", false, null))
					: Mono.empty()));
		});
	}

}
