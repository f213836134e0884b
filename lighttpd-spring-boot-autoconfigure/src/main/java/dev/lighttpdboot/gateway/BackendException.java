package dev.lighttpdboot.gateway;

import org.springframework.http.HttpHeaders;
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

	private final Kind kind;

	/**
	 * Create the exception. The cause is kept apart ({@link #backendCause()}), not chained: Spring takes an
	 * exception whose cause says "connection reset by peer" or "broken pipe" for a disconnected client, and would
	 * then end a broken response as if it were complete.
	 */
	public BackendException(HttpStatus status, String reason, boolean beforeResponse, Throwable cause) {
		this(status, reason, beforeResponse, cause, 1, Kind.OTHER);
	}

	private BackendException(HttpStatus status, String reason, boolean beforeResponse, Throwable cause,
			long retryAfterSeconds, Kind kind) {
		super(status, reason);
		this.beforeResponse = beforeResponse;
		this.backendCause = cause;
		this.retryAfterSeconds = retryAfterSeconds;
		this.kind = kind;
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
	public HttpHeaders getHeaders() {
		HttpHeaders headers = new HttpHeaders();
		if (getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE) {
			// At least lighttpd's default disable-time: worth a retry after a second, not at once.
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(this.retryAfterSeconds));
		}
		return headers;
	}

	/**
	 * Whether no byte of the response had arrived when the failure happened.
	 */
	public boolean beforeResponse() {
		return this.beforeResponse;
	}

	/**
	 * Whether the connection closed or failed before any byte of the response arrived, without a timeout: the
	 * signature of a kept-alive connection the backend had already closed, the one failure after which a request
	 * was provably not taken by a live worker.
	 */
	public boolean connectionLost() {
		return this.kind == Kind.CONNECTION_LOST;
	}

	/**
	 * Whether the request was refused because this server's own queue for the backend was full: the backend
	 * itself refused nothing and must not be disabled for it.
	 */
	public boolean queueFull() {
		return this.kind == Kind.QUEUE_FULL;
	}

	/** The connection closed or failed. */
	public static BackendException broken(String reason, boolean beforeResponse, Throwable cause) {
		return new BackendException(HttpStatus.BAD_GATEWAY, reason, beforeResponse, cause);
	}

	/**
	 * The connection closed or failed before any byte of the response arrived (see {@link #connectionLost()}).
	 */
	public static BackendException connectionLost(String reason, Throwable cause) {
		return new BackendException(HttpStatus.BAD_GATEWAY, reason, true, cause, 1, Kind.CONNECTION_LOST);
	}

	/**
	 * Every connection to the backend is busy and the requests waiting for one already fill its queue.
	 */
	public static BackendException queueFull(String reason) {
		return new BackendException(HttpStatus.SERVICE_UNAVAILABLE, reason, true, null, 1, Kind.QUEUE_FULL);
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
		return new BackendException(HttpStatus.SERVICE_UNAVAILABLE, reason, true, null, Math.max(1, retryAfterSeconds),
				Kind.OTHER);
	}

	/** The backend did not answer in time. */
	public static BackendException timeout(String reason, boolean beforeResponse) {
		return new BackendException(HttpStatus.GATEWAY_TIMEOUT, reason, beforeResponse, null);
	}

	private enum Kind {

		CONNECTION_LOST, QUEUE_FULL, OTHER

	}

}
