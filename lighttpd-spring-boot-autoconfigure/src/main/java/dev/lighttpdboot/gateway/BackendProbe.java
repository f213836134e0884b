package dev.lighttpdboot.gateway;

import reactor.core.publisher.Mono;

/**
 * One check of whether a backend takes requests, run by a {@link BackendProber} between requests. A connect is
 * enough for every protocol ({@link ConnectProbe}); a protocol with a ping of its own (FastCGI's
 * {@code FCGI_GET_VALUES}, say) may answer more truly through its own implementation.
 */
@FunctionalInterface
public interface BackendProbe {

	/**
	 * Check the backend once. Must not block: the prober subscribes on a timer thread and bounds the check with
	 * its own timeout.
	 * @return empty when the backend takes requests; an error saying why it does not otherwise
	 */
	Mono<Void> check();

}
