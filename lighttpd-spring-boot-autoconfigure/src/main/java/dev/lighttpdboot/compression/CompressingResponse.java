package dev.lighttpdboot.compression;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import dev.lighttpdboot.files.FileRepresentation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * A response that compresses its body while it streams, decided when the body is written: only a 200 without
 * {@code Content-Encoding}, of a compressible type, not known to be below the minimum size, not marked
 * {@code no-transform}, and not a file whose representation was chosen already (static files, bundles). Such a
 * response always says {@code Vary: Accept-Encoding}; it is compressed when the client accepted a coding, with
 * Content-Length and Accept-Ranges removed (Range applies to the identity only) and the coding appended to the
 * entity tag. Each buffer is flushed through the encoder, so the client receives what the handler flushed.
 */
class CompressingResponse extends ServerHttpResponseDecorator {

	private final @Nullable ContentEncoder encoder;

	private final CompressionPolicy policy;

	private final Map<String, Object> attributes;

	CompressingResponse(ServerHttpResponse delegate, @Nullable ContentEncoder encoder, CompressionPolicy policy,
			Map<String, Object> attributes) {
		super(delegate);
		this.encoder = encoder;
		this.policy = policy;
		this.attributes = attributes;
	}

	/**
	 * Wrap a response, keeping it a {@link ZeroCopyHttpOutputMessage} when it is one.
	 */
	static ServerHttpResponse wrap(ServerHttpResponse response, @Nullable ContentEncoder encoder,
			CompressionPolicy policy,
			Map<String, Object> attributes) {
		return (response instanceof ZeroCopyHttpOutputMessage)
				? new ZeroCopyCompressingResponse(response, encoder, policy, attributes)
				: new CompressingResponse(response, encoder, policy, attributes);
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		ContentEncoder encoder = this.encoder;
		// compresses() first: it adds Vary for a compressible type even when no encoder suits the client.
		if (!compresses() || encoder == null) {
			return super.writeWith(body);
		}
		Flux<DataBuffer> encoded = Flux.using(() -> new StreamingEncoder(encoder, bufferFactory()),
				(streaming) -> Flux.<DataBuffer>from(body)
					.concatMap((buffer) -> Mono.fromCallable(() -> streaming.encode(buffer)))
					.concatWith(Mono.fromCallable(streaming::finish)),
				StreamingEncoder::close);
		return super.writeWith(encoded);
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		// Every buffer is flushed through the encoder already; one encoded stream keeps one encoder's life simple.
		return writeWith(Flux.from(body).concatMap(Flux::from));
	}

	private boolean compresses() {
		if (this.attributes.containsKey(FileRepresentation.CHOSEN_ATTRIBUTE)) {
			return false;
		}
		HttpStatusCode status = getStatusCode();
		HttpHeaders headers = getHeaders();
		if ((status != null && status.value() != 200) || headers.containsHeader(HttpHeaders.CONTENT_ENCODING)
				|| !this.policy.compressible(headers.getContentType())
				|| !this.policy.worthCompressing(headers.getContentLength())) {
			return false;
		}
		String cacheControl = headers.getCacheControl();
		if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-transform")) {
			return false;
		}
		FileRepresentation.addVary(headers, HttpHeaders.ACCEPT_ENCODING);
		if (this.encoder == null) {
			return false;
		}
		headers.set(HttpHeaders.CONTENT_ENCODING, this.encoder.coding().token());
		headers.remove(HttpHeaders.CONTENT_LENGTH);
		headers.remove(HttpHeaders.ACCEPT_RANGES);
		String etag = headers.getETag();
		if (etag != null) {
			headers.setETag(this.encoder.coding().suffix(etag));
		}
		return true;
	}

	/**
	 * The same, for a response that can send files with {@code sendfile(2)}: files pass through untouched, so
	 * zero-copy is never lost behind this decorator.
	 */
	static final class ZeroCopyCompressingResponse extends CompressingResponse
			implements ZeroCopyHttpOutputMessage {

		ZeroCopyCompressingResponse(ServerHttpResponse delegate, @Nullable ContentEncoder encoder,
				CompressionPolicy policy,
				Map<String, Object> attributes) {
			super(delegate, encoder, policy, attributes);
		}

		@Override
		public Mono<Void> writeWith(Path file, long position, long count) {
			return ((ZeroCopyHttpOutputMessage) getDelegate()).writeWith(file, position, count);
		}

	}

}
