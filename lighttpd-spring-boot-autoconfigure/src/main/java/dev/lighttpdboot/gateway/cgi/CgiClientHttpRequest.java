package dev.lighttpdboot.gateway.cgi;

import java.net.URI;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;

/**
 * The request a {@code WebClient} writes for {@link CgiClientHttpConnector}: headers and cookies as usual,
 * the body collected into one buffer, since FastCGI needs its length before the first byte is sent.
 */
final class CgiClientHttpRequest extends AbstractClientHttpRequest {

	private final HttpMethod method;

	private final URI uri;

	private final int maxBodySize;

	private byte[] body = new byte[0];

	CgiClientHttpRequest(HttpMethod method, URI uri, int maxBodySize) {
		this.method = method;
		this.uri = uri;
		this.maxBodySize = maxBodySize;
	}

	@Override
	public HttpMethod getMethod() {
		return this.method;
	}

	@Override
	public URI getURI() {
		return this.uri;
	}

	@Override
	public DataBufferFactory bufferFactory() {
		return DefaultDataBufferFactory.sharedInstance;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T getNativeRequest() {
		return (T) this;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		return doCommit(() -> DataBufferUtils.join(body, this.maxBodySize).doOnNext((joined) -> {
			// Kept as bytes, so that the request can be sent again on a fresh connection.
			this.body = new byte[joined.readableByteCount()];
			joined.read(this.body);
			DataBufferUtils.release(joined);
		}).then());
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return writeWith(Flux.from(body).concatMap(Flux::from));
	}

	@Override
	public Mono<Void> setComplete() {
		return doCommit();
	}

	@Override
	protected void applyHeaders() {
	}

	@Override
	protected void applyCookies() {
		if (!getCookies().isEmpty()) {
			StringBuilder cookie = new StringBuilder();
			getCookies().values().forEach((values) -> values.forEach((value) -> {
				if (!cookie.isEmpty()) {
					cookie.append("; ");
				}
				cookie.append(value.getName()).append('=').append(value.getValue());
			}));
			getHeaders().add(HttpHeaders.COOKIE, cookie.toString());
		}
	}

	byte[] body() {
		return this.body;
	}

}
