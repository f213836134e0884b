package dev.lighttpdboot.text;

/**
 * Thrown by {@link PercentDecoder} and {@link QueryParameters} for text that is not well-formed percent-encoded
 * UTF-8. The message names what is wrong, never the text itself: callers log it next to untrusted input.
 */
public class MalformedEncodingException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String reason;

	MalformedEncodingException(String reason) {
		super(reason);
		this.reason = reason;
	}

	/**
	 * Return what is wrong with the text, without the text.
	 */
	public String reason() {
		return this.reason;
	}

}
