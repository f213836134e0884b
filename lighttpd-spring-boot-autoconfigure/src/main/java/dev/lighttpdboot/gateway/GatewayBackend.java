package dev.lighttpdboot.gateway;

import reactor.core.publisher.Mono;

/**
 * A backend behind a gateway route, whatever its protocol: it takes a protocol-neutral {@link GatewayRequest}
 * (whose body is replayable), turns it into its protocol's bytes, and answers with a response head and a
 * streaming body. Backends are made by a {@link GatewayProtocol}; a {@link GatewayPool} balances among them.
 */
public interface GatewayBackend {

	/**
	 * Return the name of this backend for logs and metrics, for example {@code 127.0.0.1:9000}.
	 */
	String name();

	/**
	 * Send a request.
	 * @param request the request; its body is read again when the request is retried
	 * @param stderr receives what the backend logs about this request (FastCGI's error stream; nothing for
	 * protocols without one)
	 * @return the response once its head arrived, or a {@link BackendException}
	 */
	Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr);

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
