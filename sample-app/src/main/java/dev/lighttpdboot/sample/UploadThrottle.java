package dev.lighttpdboot.sample;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * With {@code --demo.upload-throttle=1MB}, the body of {@code POST /upload} is read at most that fast, so that
 * upload progress is visible on loopback, where an upload is otherwise over in an instant. It slows the demand for
 * the body, before the multipart parser: Reactor Netty then reads the socket at that pace, and the client's upload
 * really slows down, which is what the progress counter reports.
 */
@Component
@ConditionalOnExpression("'${demo.upload-throttle:0}' != '0'")
class UploadThrottle implements WebFilter {

	private final long bytesPerSecond;

	UploadThrottle(@Value("${demo.upload-throttle}") DataSize throttle) {
		this.bytesPerSecond = Math.max(1, throttle.toBytes());
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (request.getMethod() != HttpMethod.POST || !request.getPath().value().equals("/upload")) {
			return chain.filter(exchange);
		}
		ServerHttpRequest throttled = new ServerHttpRequestDecorator(request) {

			@Override
			public Flux<DataBuffer> getBody() {
				return throttle(super.getBody());
			}

		};
		return chain.filter(exchange.mutate().request(throttled).build());
	}

	private Flux<DataBuffer> throttle(Flux<DataBuffer> body) {
		// One buffer at a time, each held back for its share of a second. The discard hook is scoped to the delay,
		// where a cancelled upload would otherwise leave the buffer unreleased.
		return body.concatMap((buffer) -> Mono.just(buffer)
			.delayElement(Duration.ofNanos(buffer.readableByteCount() * 1_000_000_000L / this.bytesPerSecond))
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release), 1);
	}

}
