package dev.lighttpdboot.gateway.fastcgi;

import org.jspecify.annotations.Nullable;

/**
 * The record types of FastCGI 1.0, with their codes on the wire.
 */
public enum FastCgiRecordType {

	BEGIN_REQUEST(1), ABORT_REQUEST(2), END_REQUEST(3), PARAMS(4), STDIN(5), STDOUT(6), STDERR(7), DATA(8),
	GET_VALUES(9), GET_VALUES_RESULT(10), UNKNOWN_TYPE(11);

	private static final FastCgiRecordType[] BY_CODE = new FastCgiRecordType[12];

	static {
		for (FastCgiRecordType type : values()) {
			BY_CODE[type.code] = type;
		}
	}

	private final int code;

	FastCgiRecordType(int code) {
		this.code = code;
	}

	/**
	 * Return the code of this type on the wire.
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Return the type with the given code.
	 * @param code the code read from a record header
	 * @return the type, or {@code null} if FastCGI 1.0 defines none with that code
	 */
	public static @Nullable FastCgiRecordType of(int code) {
		return (code >= 0 && code < BY_CODE.length) ? BY_CODE[code] : null;
	}

}
