package dev.lighttpdboot.gateway.fastcgi;

/**
 * The role a {@code BEGIN_REQUEST} asks the application to play. Web servers and php-fpm use
 * {@link #RESPONDER} only.
 */
public enum FastCgiRole {

	RESPONDER(1), AUTHORIZER(2), FILTER(3);

	private final int code;

	FastCgiRole(int code) {
		this.code = code;
	}

	/**
	 * Return the code of this role on the wire.
	 */
	public int code() {
		return this.code;
	}

}
