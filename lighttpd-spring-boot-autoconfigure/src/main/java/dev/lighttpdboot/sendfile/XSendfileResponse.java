package dev.lighttpdboot.sendfile;

import java.nio.file.Path;

import dev.lighttpdboot.files.RegionWriter;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * The response a handler writes to under {@link XSendfileWebFilter}. However the handler ends its response (a
 * body, a stream of bodies, no body, or a file of its own), a sendfile header present at that moment makes
 * {@link XSendfile} answer instead and the handler's body is drained and released unread.
 * <p>It implements {@link ZeroCopyHttpOutputMessage}, so that ordinary file responses passing through it keep
 * {@code sendfile(2)}.
 */
final class XSendfileResponse extends ServerHttpResponseDecorator implements ZeroCopyHttpOutputMessage {

	private final ServerHttpRequest request;

	private final XSendfile xSendfile;

	private final RegionWriter regionWriter;

	XSendfileResponse(ServerHttpResponse delegate, ServerHttpRequest request, XSendfile xSendfile,
			RegionWriter regionWriter) {
		super(delegate);
		this.request = request;
		this.xSendfile = xSendfile;
		this.regionWriter = regionWriter;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		if (this.xSendfile.isRequested(getHeaders())) {
			return discard(Flux.from(body)).then(Mono.defer(this::sendFile));
		}
		return super.writeWith(body);
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		if (this.xSendfile.isRequested(getHeaders())) {
			return discard(Flux.from(body).concatMap(Flux::from)).then(Mono.defer(this::sendFile));
		}
		return super.writeAndFlushWith(body);
	}

	@Override
	public Mono<Void> setComplete() {
		if (this.xSendfile.isRequested(getHeaders())) {
			return sendFile();
		}
		return super.setComplete();
	}

	@Override
	public Mono<Void> writeWith(Path file, long position, long count) {
		if (this.xSendfile.isRequested(getHeaders())) {
			return sendFile();
		}
		return this.regionWriter.write(getDelegate(), file, position, count);
	}

	private Mono<Void> sendFile() {
		return this.xSendfile.send(this.request, getDelegate());
	}

	private static Mono<Void> discard(Flux<? extends DataBuffer> body) {
		return body.doOnNext(DataBufferUtils::release).then();
	}

}
