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

	/** Request heads the HTTP codec could not decode (too long, bad syntax, bad framing headers). */
	String MALFORMED = "malformed";

	/** Request bodies whose next bytes did not arrive within the body timeout. */
	String BODY_TIMEOUT = "body-timeout";

	/** HTTP/2 connections closed by the codec for a protocol error, a rapid-reset flood among them. */
	String HTTP2_PROTOCOL = "http2-protocol";

	/** Records nothing. */
	ServerRefusals NONE = (reason) -> {
	};

	/**
	 * Count one refusal.
	 * @param reason one of the constants of this interface
	 */
	void refused(String reason);

}
