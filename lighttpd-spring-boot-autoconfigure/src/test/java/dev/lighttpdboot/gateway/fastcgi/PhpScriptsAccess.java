package dev.lighttpdboot.gateway.fastcgi;

import java.nio.file.Path;

/**
 * Opens {@link PhpScripts} to the gateway's tests in another package.
 */
public final class PhpScriptsAccess {

	private PhpScriptsAccess() {
	}

	public static void writeTo(Path root) {
		PhpScripts.writeTo(root);
	}

}
