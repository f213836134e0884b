package dev.lighttpdboot.gateway.fastcgi;

/**
 * Asks the application to abort a request: an {@code ABORT_REQUEST} record. The application is expected to answer
 * with {@code END_REQUEST}.
 *
 * @param requestId the request id, 1 to 65535
 */
public record FastCgiAbortRequest(int requestId) implements FastCgiRequestPart {

	public FastCgiAbortRequest {
		FastCgiRecordHeader.checkRequestId(requestId);
	}

}
