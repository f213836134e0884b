package dev.lighttpdboot.gateway;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * A backend failed to answer. Its {@link Kind} says what failed and decides, in one place, how the client is
 * answered: 502 for a broken or malformed response, 503 when no backend could take the request, 504 when the
 * backend was too slow.
 * <p>{@link #beforeResponse()} tells whether the failure happened before any byte of the response arrived, when
 * the request may safely be sent again.
 */
public class BackendException extends ResponseStatusException {

	private final boolean beforeResponse;

	private final @Nullable Throwable backendCause;

	private final long retryAfterSeconds;

	private final Kind kind;

	/**
	 * Create the exception. The cause is kept apart ({@link #backendCause()}), not chained: Spring takes an
	 * exception whose cause says "connection reset by peer" or "broken pipe" for a disconnected client, and would
	 * then end a broken response as if it were complete.
	 * @param kind what failed; it decides the status
	 * @param reason the reason, for logs (never shown to the client)
	 * @param beforeResponse whether no byte of the response had arrived
	 * @param cause what went wrong underneath, or {@code null}
	 */
	public BackendException(Kind kind, String reason, boolean beforeResponse, @Nullable Throwable cause) {
		this(kind, reason, beforeResponse, cause, 1);
	}

	private BackendException(Kind kind, String reason, boolean beforeResponse, @Nullable Throwable cause,
			long retryAfterSeconds) {
		super(kind.status(), reason);
		this.beforeResponse = beforeResponse;
		this.backendCause = cause;
		this.retryAfterSeconds = retryAfterSeconds;
		this.kind = kind;
	}

	/**
	 * Return what failed.
	 */
	public Kind kind() {
		return this.kind;
	}

	/**
	 * Return what went wrong underneath (a socket error, say), for logs; {@code null} if nothing did.
	 */
	public @Nullable Throwable backendCause() {
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
	public static BackendException broken(String reason, boolean beforeResponse, @Nullable Throwable cause) {
		return new BackendException(Kind.BROKEN, reason, beforeResponse, cause);
	}

	/**
	 * The connection closed or failed before any byte of the response arrived (see {@link #connectionLost()}).
	 */
	public static BackendException connectionLost(String reason, @Nullable Throwable cause) {
		return new BackendException(Kind.CONNECTION_LOST, reason, true, cause);
	}

	/**
	 * Every connection to the backend is busy and the requests waiting for one already fill its queue.
	 */
	public static BackendException queueFull(String reason) {
		return new BackendException(Kind.QUEUE_FULL, reason, true, null);
	}

	/** No connection could be made, or the backend said it is overloaded. */
	public static BackendException unavailable(String reason, @Nullable Throwable cause) {
		return new BackendException(Kind.NOT_TAKEN, reason, true, cause);
	}

	/**
	 * No backend of a pool is usable now.
	 * @param retryAfterSeconds when the first of them may be tried again, for the {@code Retry-After} header
	 */
	public static BackendException noBackend(String reason, long retryAfterSeconds) {
		return new BackendException(Kind.NO_BACKEND, reason, true, null, Math.max(1, retryAfterSeconds));
	}

	/** The backend did not answer in time. */
	public static BackendException timeout(String reason, boolean beforeResponse) {
		return new BackendException(Kind.TIMEOUT, reason, beforeResponse, null);
	}

	/**
	 * What failed, and the one place where each failure gets its status.
	 */
	public enum Kind {

		/** No connection could be made, or the backend said it is overloaded: the request was not taken. */
		NOT_TAKEN(HttpStatus.SERVICE_UNAVAILABLE),

		/** This server's queue for the backend is full: the backend refused nothing. */
		QUEUE_FULL(HttpStatus.SERVICE_UNAVAILABLE),

		/** No backend of the pool is usable now. */
		NO_BACKEND(HttpStatus.SERVICE_UNAVAILABLE),

		/** A connection closed or failed before any response byte, without a timeout. */
		CONNECTION_LOST(HttpStatus.BAD_GATEWAY),

		/** The connection broke, or the response was malformed. */
		BROKEN(HttpStatus.BAD_GATEWAY),

		/** The backend stayed silent longer than the read timeout. */
		TIMEOUT(HttpStatus.GATEWAY_TIMEOUT);

		private final HttpStatus status;

		Kind(HttpStatus status) {
			this.status = status;
		}

		/**
		 * Return the status the client is answered with.
		 */
		public HttpStatus status() {
			return this.status;
		}

	}

}
