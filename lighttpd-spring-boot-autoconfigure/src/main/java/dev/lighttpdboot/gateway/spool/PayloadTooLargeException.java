package dev.lighttpdboot.gateway.spool;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A request body longer than the route allows, answered with 413 before any backend is involved.
 */
public class PayloadTooLargeException extends ResponseStatusException {

	private final long maxSize;

	public PayloadTooLargeException(long maxSize) {
		super(HttpStatus.CONTENT_TOO_LARGE, "request body is larger than " + maxSize + " bytes");
		this.maxSize = maxSize;
	}

	/**
	 * Return the limit that was exceeded, in bytes.
	 */
	public long maxSize() {
		return this.maxSize;
	}

}
