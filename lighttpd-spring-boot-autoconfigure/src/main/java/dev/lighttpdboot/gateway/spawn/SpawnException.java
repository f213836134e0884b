package dev.lighttpdboot.gateway.spawn;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A pool's command could not be run at all (no such program, not executable), so starting its processes failed:
 * a configuration error to report at start-up rather than retry forever.
 */
public class SpawnException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final @Nullable String pool;

	private final transient List<String> command;

	/**
	 * Create an exception.
	 * @param message what could not be started
	 * @param cause the failure of {@link ProcessBuilder#start()}
	 */
	public SpawnException(String message, Throwable cause) {
		this(message, cause, null, List.of());
	}

	/**
	 * Create an exception that names the pool and its command, for a start-up failure report.
	 * @param message what could not be started
	 * @param cause the failure of {@link ProcessBuilder#start()}
	 * @param pool the name of the pool whose processes these are
	 * @param command the command as configured
	 */
	public SpawnException(String message, Throwable cause, @Nullable String pool, List<String> command) {
		super(message, cause);
		this.pool = pool;
		this.command = List.copyOf(command);
	}

	/**
	 * Return the name of the pool whose processes could not start, or {@code null} if unknown.
	 */
	public @Nullable String getPool() {
		return this.pool;
	}

	/**
	 * Return the command as configured (with its {@code {address}} placeholder).
	 */
	public List<String> getCommand() {
		return this.command;
	}

}
