package dev.lighttpdboot.gateway;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A backend failed to answer: the status says how the client is answered (502 for a broken or malformed
 * response, 503 when no backend could take the request, 504 when the backend was too slow).
 * <p>{@link #beforeResponse()} tells whether the failure happened before any byte of the response arrived, when
 * the request may safely be sent again.
 */
public class BackendException extends ResponseStatusException {

	private final boolean beforeResponse;

	private final Throwable backendCause;

	private final long retryAfterSeconds;

	/**
	 * Create the exception. The cause is kept apart ({@link #backendCause()}), not chained: Spring takes an
	 * exception whose cause says "connection reset by peer" or "broken pipe" for a disconnected client, and would
	 * then end a broken response as if it were complete.
	 */
	public BackendException(HttpStatus status, String reason, boolean beforeResponse, Throwable cause) {
		this(status, reason, beforeResponse, cause, 1);
	}

	private BackendException(HttpStatus status, String reason, boolean beforeResponse, Throwable cause,
			long retryAfterSeconds) {
		super(status, reason);
		this.beforeResponse = beforeResponse;
		this.backendCause = cause;
		this.retryAfterSeconds = retryAfterSeconds;
	}

	/**
	 * Return what went wrong underneath (a socket error, say), for logs; {@code null} if nothing did.
	 */
	public Throwable backendCause() {
		return this.backendCause;
	}

	/**
	 * Describe a low-level failure for a reason text, by its type only: its message may contain words that make
	 * Spring take the failure for a disconnected client.
	 */
	public static String describe(Throwable cause) {
		return cause.getClass().getSimpleName();
	}

	@Override
	public org.springframework.http.HttpHeaders getHeaders() {
		org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
		if (getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE) {
			// At least lighttpd's default disable-time: worth a retry after a second, not at once.
			headers.set(org.springframework.http.HttpHeaders.RETRY_AFTER, Long.toString(this.retryAfterSeconds));
		}
		return headers;
	}

	/**
	 * Whether no byte of the response had arrived when the failure happened.
	 */
	public boolean beforeResponse() {
		return this.beforeResponse;
	}

	/** The connection closed or failed. */
	public static BackendException broken(String reason, boolean beforeResponse, Throwable cause) {
		return new BackendException(HttpStatus.BAD_GATEWAY, reason, beforeResponse, cause);
	}

	/** No connection could be made, or the backend said it is overloaded. */
	public static BackendException unavailable(String reason, Throwable cause) {
		return new BackendException(HttpStatus.SERVICE_UNAVAILABLE, reason, true, cause);
	}

	/**
	 * No backend of a pool is usable now.
	 * @param retryAfterSeconds when the first of them may be tried again, for the {@code Retry-After} header
	 */
	public static BackendException noBackend(String reason, long retryAfterSeconds) {
		return new BackendException(HttpStatus.SERVICE_UNAVAILABLE, reason, true, null, Math.max(1, retryAfterSeconds));
	}

	/** The backend did not answer in time. */
	public static BackendException timeout(String reason, boolean beforeResponse) {
		return new BackendException(HttpStatus.GATEWAY_TIMEOUT, reason, beforeResponse, null);
	}

}
