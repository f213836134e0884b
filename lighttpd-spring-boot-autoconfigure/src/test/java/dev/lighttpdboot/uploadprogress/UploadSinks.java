package dev.lighttpdboot.uploadprogress;

import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;

/**
 * Upload handlers for the tests. Each reads the body at network speed (Reactor Netty reads a body only while
 * someone consumes it) and discards it.
 * <ul>
 * <li>{@code POST /upload-sink[?limit=N]}: 200 with the byte count, or 413 once more than N bytes arrived;</li>
 * <li>{@code POST /upload-fail}: reads the whole body, then answers 503.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class UploadSinks {

	@Bean
	RouterFunction<ServerResponse> uploadSinkRoutes() {
		return RouterFunctions.route()
			.POST("/upload-sink", (request) -> count(request).flatMap((bytes) -> ServerResponse.ok()
				.bodyValue("{\"bytes\":" + bytes + "}")))
			.POST("/upload-fail", (request) -> count(request).flatMap((bytes) -> ServerResponse
				.status(HttpStatus.SERVICE_UNAVAILABLE).bodyValue("try later")))
			.build();
	}

	private static Mono<Long> count(ServerRequest request) {
		long limit = request.queryParam("limit").map(Long::parseLong).orElse(Long.MAX_VALUE);
		AtomicLong total = new AtomicLong();
		return request.bodyToFlux(DataBuffer.class)
			.handle((DataBuffer buffer, SynchronousSink<Long> sink) -> {
				long sum = total.addAndGet(buffer.readableByteCount());
				DataBufferUtils.release(buffer);
				if (sum > limit) {
					sink.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE));
				}
			})
			.then(Mono.fromSupplier(total::get));
	}

}
