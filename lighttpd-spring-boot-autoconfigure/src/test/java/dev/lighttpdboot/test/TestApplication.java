package dev.lighttpdboot.test;

import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A minimal application for integration tests: the auto-configuration under test, one controller and one router
 * function whose paths also exist in the test document root (application handlers must win), and the outbound
 * recorder.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {

	@Bean
	SimpleMeterRegistry meterRegistry() {
		return new SimpleMeterRegistry();
	}

	@Bean
	OutboundRecorder outboundRecorder() {
		return new OutboundRecorder();
	}

	@Bean
	RouterFunction<ServerResponse> routedHello() {
		return RouterFunctions.route()
			.GET("/routed/shadowed.txt", (request) -> ServerResponse.ok().bodyValue("from a router function"))
			.build();
	}

	@RestController
	static class HelloController {

		@GetMapping("/shadowed.txt")
		Mono<Map<String, String>> hello() {
			return Mono.just(Map.of("from", "controller"));
		}

	}

}
