package dev.lighttpdboot.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.actuate.LighttpdEndpoint;
import dev.lighttpdboot.actuate.LighttpdEndpoint.BackendDescriptor;
import dev.lighttpdboot.actuate.LighttpdEndpoint.LighttpdDescriptor;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The data of the demo's status page ({@code /status.html}), on the public port: pools, backends and uploads in
 * progress, read from the {@code lighttpd} actuator endpoint's bean in this application, not over HTTP.
 * <p>
 * Why not let the page call the actuator: it listens on the management port, bound to 127.0.0.1, and shows what is
 * for the operator only (upload ids, which would let anyone watch another visitor's upload, socket paths, backend
 * errors). Opening it to the page with CORS would expose all of that; this controller hands out a reduced view
 * instead: backends by position ({@code php-0}), states and counters, uploads without their ids.
 */
@RestController
class StatusController {

	private final ObjectProvider<LighttpdEndpoint> endpoint;

	StatusController(ObjectProvider<LighttpdEndpoint> endpoint) {
		this.endpoint = endpoint;
	}

	@GetMapping("/status/data")
	Mono<ResponseEntity<Status>> status() {
		LighttpdEndpoint lighttpd = this.endpoint.getIfAvailable();
		if (lighttpd == null) {
			return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build());
		}
		return lighttpd.lighttpd()
			.map((descriptor) -> ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(reduce(descriptor)));
	}

	private static Status reduce(LighttpdDescriptor descriptor) {
		Map<String, Pool> pools = new LinkedHashMap<>();
		descriptor.pools().forEach((name, pool) -> {
			List<Backend> backends = new ArrayList<>();
			for (BackendDescriptor backend : pool.backends()) {
				backends.add(new Backend(backend.id(), backend.state(), backend.inFlight(), backend.queued(),
						backend.requests(), backend.failures()));
			}
			pools.put(name, new Pool(pool.usable(), backends));
		});
		List<Upload> uploads = descriptor.uploads().values().stream()
			.map((upload) -> new Upload(upload.state(), upload.received(), upload.size()))
			.toList();
		return new Status(pools, uploads);
	}

	record Status(Map<String, Pool> pools, List<Upload> uploads) {
	}

	record Pool(boolean usable, List<Backend> backends) {
	}

	record Backend(String name, String state, int inFlight, int queued, long requests, long failures) {
	}

	record Upload(String state, long received, long size) {
	}

}
