package dev.lighttpdboot.gateway;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * A backend behind a gateway route, whatever its protocol (FastCGI now; SCGI, HTTP and AJP13 later): it takes a
 * CGI environment and a replayable body, and answers with a response head and a streaming body.
 */
public interface GatewayBackend {

	/**
	 * Return the name of this backend for logs and metrics, for example {@code 127.0.0.1:9000}.
	 */
	String name();

	/**
	 * Send a request.
	 * @param params the CGI environment
	 * @param body the request body; subscribed again when the request is retried
	 * @param stderr receives what the backend logs about this request
	 * @return the response once its head arrived, or a {@link BackendException}
	 */
	Mono<GatewayResponse> exchange(List<Map.Entry<String, String>> params, Supplier<Flux<DataBuffer>> body,
			StderrListener stderr);

	/**
	 * Return the requests waiting for one of this backend's connections, for balancing and metrics.
	 */
	default int queued() {
		return 0;
	}

	/**
	 * Close every connection.
	 */
	Mono<Void> dispose();

	/**
	 * Receives what a backend writes to its error stream.
	 */
	@FunctionalInterface
	interface StderrListener {

		/**
		 * One chunk of error output.
		 * @param backend the backend's name
		 * @param text the text, trimmed
		 */
		void stderr(String backend, String text);

	}

}
