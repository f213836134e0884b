package dev.lighttpdboot.gateway.spawn;

/**
 * A pool's command could not be run at all (no such program, not executable), so starting its processes failed:
 * a configuration error to report at start-up rather than retry forever.
 */
public class SpawnException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what could not be started
	 * @param cause the failure of {@link ProcessBuilder#start()}
	 */
	public SpawnException(String message, Throwable cause) {
		super(message, cause);
	}

}
