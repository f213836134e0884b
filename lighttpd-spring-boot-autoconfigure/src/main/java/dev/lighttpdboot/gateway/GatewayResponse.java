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
 * @param completeBodyLength the length of the body when all of it had arrived with the head (a small answer
 * read in one go: the body then gives it at once and the backend is free already), else {@code -1}
 */
public record GatewayResponse(CgiResponseHead head, Flux<DataBuffer> body, @Nullable String backend,
		long completeBodyLength) {

	/**
	 * An answer whose body is still on its way.
	 * @param head the status and headers
	 * @param body the rest of the response
	 * @param backend the name of the backend that answered, or {@code null}
	 */
	public GatewayResponse(CgiResponseHead head, Flux<DataBuffer> body, @Nullable String backend) {
		this(head, body, backend, -1);
	}

	/**
	 * An answer whose backend a pool has not named yet, with its body still on its way.
	 * @param head the status and headers
	 * @param body the rest of the response
	 */
	public GatewayResponse(CgiResponseHead head, Flux<DataBuffer> body) {
		this(head, body, null, -1);
	}

	/**
	 * Return this answer with its body passed through more steps (metrics, timing), named after its backend; the
	 * steps must give the same bytes.
	 * @param body the same body, observed
	 * @param backend the name of the backend that answered, or {@code null}
	 * @return the answer
	 */
	public GatewayResponse withBody(Flux<DataBuffer> body, @Nullable String backend) {
		return new GatewayResponse(this.head, body, backend, this.completeBodyLength);
	}

	/**
	 * Return this answer, known to have all of its body at hand.
	 * @param length the body's length
	 * @return the answer
	 */
	public GatewayResponse withCompleteBody(long length) {
		return new GatewayResponse(this.head, this.body, this.backend, length);
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
