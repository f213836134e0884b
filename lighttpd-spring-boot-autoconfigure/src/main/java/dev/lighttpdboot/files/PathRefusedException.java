package dev.lighttpdboot.files;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A request path that must not reach the file system, with the status the client gets for it.
 * <p>The reason is meant for the log; clients see only the status.
 */
public class PathRefusedException extends ResponseStatusException {

	public PathRefusedException(HttpStatus status, String reason) {
		super(status, reason);
	}

	/**
	 * No stack trace: a refusal is an answer to a request, not a fault of this program, and filling in the trace
	 * was most of what a refused path cost (a forged or probing request costs the same as an ordinary one).
	 */
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
