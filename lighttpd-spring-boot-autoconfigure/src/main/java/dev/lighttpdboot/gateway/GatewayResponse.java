package dev.lighttpdboot.gateway;

import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

/**
 * A backend's answer once its head has arrived, whatever the protocol: the status and headers, and the body still
 * streaming from the backend. The body must be subscribed to (or cancelled) exactly once: that is what gives the
 * connection back.
 *
 * @param head the status and headers (the CGI rules of FastCGI and SCGI decide them; other protocols carry them)
 * @param body the rest of the response, read from the backend as it is requested
 * @param backend the name of the backend that answered, or {@code null} when a single backend answered directly
 */
public record GatewayResponse(CgiResponseHead head, Flux<DataBuffer> body, @Nullable String backend) {

	/**
	 * An answer whose backend a pool has not named yet.
	 * @param head the status and headers
	 * @param body the rest of the response
	 */
	public GatewayResponse(CgiResponseHead head, Flux<DataBuffer> body) {
		this(head, body, null);
	}

	/**
	 * Return the status.
	 */
	public HttpStatusCode status() {
		return this.head.status();
	}

	/**
	 * Return the headers, hop-by-hop ones included: the route removes those.
	 */
	public HttpHeaders headers() {
		return this.head.headers();
	}

}
