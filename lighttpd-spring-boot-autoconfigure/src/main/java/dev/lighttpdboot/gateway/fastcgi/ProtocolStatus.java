package dev.lighttpdboot.gateway.fastcgi;

/**
 * The protocol status of an {@code END_REQUEST} record: whether the application completed the request or why it
 * refused it.
 */
public enum ProtocolStatus {

	REQUEST_COMPLETE(0), CANT_MPX_CONN(1), OVERLOADED(2), UNKNOWN_ROLE(3),

	/**
	 * A code FastCGI 1.0 does not define.
	 */
	UNKNOWN(-1);

	private final int code;

	ProtocolStatus(int code) {
		this.code = code;
	}

	/**
	 * Return the code of this status on the wire, or -1 for {@link #UNKNOWN}.
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Return the status with the given code.
	 * @param code the code read from an {@code END_REQUEST} record
	 * @return the status, {@link #UNKNOWN} if FastCGI 1.0 defines none with that code
	 */
	public static ProtocolStatus of(int code) {
		return switch (code) {
			case 0 -> REQUEST_COMPLETE;
			case 1 -> CANT_MPX_CONN;
			case 2 -> OVERLOADED;
			case 3 -> UNKNOWN_ROLE;
			default -> UNKNOWN;
		};
	}

}
