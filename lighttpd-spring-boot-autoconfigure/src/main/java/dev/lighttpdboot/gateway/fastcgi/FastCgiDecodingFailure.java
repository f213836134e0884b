package dev.lighttpdboot.gateway.fastcgi;

import java.util.Objects;

/**
 * The application sent something that is not FastCGI 1.0, or the connection closed in the middle of a record.
 * {@link FastCgiResponseDecoder} emits this once and then ignores the rest of the connection's input, so the
 * connection can only be closed.
 *
 * @param reason what was wrong, for the log
 */
public record FastCgiDecodingFailure(String reason) implements FastCgiResponsePart {

	public FastCgiDecodingFailure {
		Objects.requireNonNull(reason, "reason");
	}

}
