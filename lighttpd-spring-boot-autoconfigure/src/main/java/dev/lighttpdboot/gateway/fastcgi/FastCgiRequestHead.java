package dev.lighttpdboot.gateway.fastcgi;

import java.util.Objects;

/**
 * The start of a request in one message: its {@code BEGIN_REQUEST} record and its whole {@code PARAMS} stream,
 * and for a request without a body the empty {@code STDIN} record as well. {@link FastCgiRequestEncoder} writes
 * it as one buffer, so a request without a body leaves in one write.
 *
 * @param begin the {@code BEGIN_REQUEST} record
 * @param params the CGI variables
 * @param bodiless whether the request has no body: the empty {@code STDIN} record follows at once
 */
public record FastCgiRequestHead(FastCgiBeginRequest begin, FastCgiParams params, boolean bodiless)
		implements FastCgiRequestPart {

	public FastCgiRequestHead {
		Objects.requireNonNull(begin, "begin");
		Objects.requireNonNull(params, "params");
		if (begin.requestId() != params.requestId()) {
			throw new IllegalArgumentException("BEGIN_REQUEST of request " + begin.requestId() + " with PARAMS of request "
					+ params.requestId());
		}
	}

	/**
	 * Return the request id.
	 */
	public int requestId() {
		return this.begin.requestId();
	}

}
