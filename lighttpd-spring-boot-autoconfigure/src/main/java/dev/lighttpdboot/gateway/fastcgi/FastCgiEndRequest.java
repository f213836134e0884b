package dev.lighttpdboot.gateway.fastcgi;

import java.util.Objects;

/**
 * The application has finished a request: an {@code END_REQUEST} record. Nothing more comes for this request id.
 *
 * @param requestId the request id
 * @param appStatus the application's exit status, unsigned 32 bits (php-fpm always sends 0)
 * @param protocolStatus whether the request was completed or refused
 */
public record FastCgiEndRequest(int requestId, long appStatus, ProtocolStatus protocolStatus)
		implements FastCgiResponsePart {

	public FastCgiEndRequest {
		Objects.requireNonNull(protocolStatus, "protocolStatus");
	}

}
