package dev.lighttpdboot.gateway.fastcgi;

import java.util.Objects;

/**
 * Starts a request: a {@code BEGIN_REQUEST} record.
 *
 * @param requestId the request id, 1 to 65535
 * @param role the role the application is to play
 * @param keepConnection whether the application keeps the connection open after the request
 * ({@code FCGI_KEEP_CONN}); without it, the application closes the connection after {@code END_REQUEST}
 */
public record FastCgiBeginRequest(int requestId, FastCgiRole role, boolean keepConnection)
		implements FastCgiRequestPart {

	public FastCgiBeginRequest {
		FastCgiRecordHeader.checkRequestId(requestId);
		Objects.requireNonNull(role, "role");
	}

}
