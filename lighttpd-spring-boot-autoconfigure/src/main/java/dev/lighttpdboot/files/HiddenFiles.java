package dev.lighttpdboot.files;

/**
 * Whether paths with a segment starting with a dot ({@code .git}, {@code .env}) may be served.
 */
public enum HiddenFiles {

	/** Such a path is refused with 404, so that the file's existence is not revealed. */
	REFUSED,

	/** Such a path is served like any other. */
	ALLOWED;

	/**
	 * Return {@link #ALLOWED} if {@code allowed} (a configuration property), else {@link #REFUSED}.
	 */
	public static HiddenFiles allowedIf(boolean allowed) {
		return allowed ? ALLOWED : REFUSED;
	}

}
