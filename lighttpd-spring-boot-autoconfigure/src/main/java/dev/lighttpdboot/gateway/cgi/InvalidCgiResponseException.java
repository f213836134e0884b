package dev.lighttpdboot.gateway.cgi;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A backend answered with a response head that cannot be passed on: the client gets 502, and the backend's
 * response counts as failed.
 */
public class InvalidCgiResponseException extends ResponseStatusException {

	public InvalidCgiResponseException(String reason) {
		super(HttpStatus.BAD_GATEWAY, reason);
	}

}
