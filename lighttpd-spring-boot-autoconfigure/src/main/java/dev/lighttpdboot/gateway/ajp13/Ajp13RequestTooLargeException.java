package dev.lighttpdboot.gateway.ajp13;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A request whose head does not fit one AJP13 packet (Tomcat reads no continuation): the client's headers are too
 * large for the route's packet size, answered 431 without contacting a backend.
 */
public class Ajp13RequestTooLargeException extends ResponseStatusException {

	/**
	 * Create the exception.
	 * @param reason what did not fit, for logs
	 */
	public Ajp13RequestTooLargeException(String reason) {
		super(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, reason);
	}

}
