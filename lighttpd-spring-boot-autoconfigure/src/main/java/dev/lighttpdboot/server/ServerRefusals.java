package dev.lighttpdboot.server;

/**
 * Receives every connection or request the server refuses on its own (before any handler), by reason. Called on
 * event-loop threads: implementations must not block.
 */
@FunctionalInterface
public interface ServerRefusals {

	/** Connections closed because the server already holds its maximum. */
	String CONNECTION_LIMIT = "connection-limit";

	/** Request heads that did not arrive whole within the header timeout. */
	String HEADER_TIMEOUT = "header-timeout";

	/** Connections whose client stopped reading a response. */
	String SEND_TIMEOUT = "send-timeout";

	/** CONNECT and TRACE requests. */
	String METHOD = "method";

	/** HTTP/1.1 requests without exactly one valid Host header. */
	String HOST = "host";

	/** Request lines with a version other than HTTP/1.0 or HTTP/1.1. */
	String VERSION = "version";

	/** Request bodies framed by a Transfer-Encoding the server does not read. */
	String TRANSFER_ENCODING = "transfer-encoding";

	/** Records nothing. */
	ServerRefusals NONE = (reason) -> {
	};

	/**
	 * Count one refusal.
	 * @param reason one of the constants of this interface
	 */
	void refused(String reason);

}
