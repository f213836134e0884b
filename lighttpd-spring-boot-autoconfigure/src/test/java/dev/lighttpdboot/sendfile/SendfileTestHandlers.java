package dev.lighttpdboot.sendfile;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Handlers that answer with sendfile headers in every way an application can end a response.
 */
@Configuration(proxyBeanMethods = false)
public class SendfileTestHandlers {

	static final String DISCARDED = "THIS BODY MUST BE DISCARDED";

	@Bean
	RouterFunction<ServerResponse> functionalSendfile() {
		return RouterFunctions.route()
			.GET("/fn/send", (request) -> ServerResponse.ok()
				.header("X-Sendfile", request.queryParam("path").orElseThrow())
				.build())
			.GET("/fn/send-body", (request) -> ServerResponse.ok()
				.header("X-Sendfile", request.queryParam("path").orElseThrow())
				.bodyValue(DISCARDED))
			.build();
	}

	@RestController
	static class SendfileController {

		@GetMapping("/send")
		ResponseEntity<Void> send(@RequestParam String path, @RequestParam(defaultValue = "X-Sendfile") String header) {
			return ResponseEntity.ok().header(header, path).build();
		}

		@GetMapping("/send-body")
		ResponseEntity<String> sendWithBody(@RequestParam String path) {
			return ResponseEntity.ok()
				.contentType(MediaType.parseMediaType("application/x-custom"))
				.header("X-Sendfile", path)
				.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"report.bin\"")
				.header(HttpHeaders.CACHE_CONTROL, "private, max-age=60")
				.body(DISCARDED);
		}

		@GetMapping("/send-flux")
		ResponseEntity<Flux<String>> sendWithStream(@RequestParam String path) {
			return ResponseEntity.ok().header("X-Sendfile", path).body(Flux.just(DISCARDED, DISCARDED, DISCARDED));
		}

		@PostMapping("/send")
		ResponseEntity<Void> sendAfterPost(@RequestParam String path) {
			return ResponseEntity.ok().header("X-Sendfile", path).build();
		}

		@GetMapping("/send-status")
		ResponseEntity<Void> sendWithStatus(@RequestParam String path) {
			return ResponseEntity.status(404).header("X-Sendfile", path).build();
		}

		@GetMapping("/send-then-fail")
		Mono<ResponseEntity<Void>> sendThenFail(ServerWebExchange exchange) {
			exchange.getResponse().getHeaders().set("X-Sendfile", "/etc/passwd");
			exchange.getResponse().getHeaders().set("X-LIGHTTPD-internal", "secret");
			return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "failed"));
		}

	}

}
