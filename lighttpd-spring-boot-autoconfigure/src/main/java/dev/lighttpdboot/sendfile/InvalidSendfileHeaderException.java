package dev.lighttpdboot.sendfile;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A sendfile header that cannot be understood: a bug in the handler that set it, answered with 500.
 */
public class InvalidSendfileHeaderException extends ResponseStatusException {

	public InvalidSendfileHeaderException(String reason) {
		super(HttpStatus.INTERNAL_SERVER_ERROR, reason);
	}

}
