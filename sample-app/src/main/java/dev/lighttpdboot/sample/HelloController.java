package dev.lighttpdboot.sample;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application handler: it wins over the document root, which is served with the lowest precedence.
 */
@RestController
class HelloController {

	@GetMapping("/hello")
	Mono<Map<String, String>> hello() {
		return Mono.just(Map.of("message", "Hello from a WebFlux controller; everything else comes from the document root"));
	}

}
