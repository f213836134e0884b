package dev.lighttpdboot.gateway.cgi;

import dev.lighttpdboot.files.PathRefusedException;

/**
 * What a route makes of a request path that belongs to it: the script it names, or the reason the path is
 * refused. A refused path still belongs to the route, so that no other handler (the static files) answers it.
 */
public sealed interface ScriptMatch {

	/**
	 * A path split into its script and path info.
	 * @param resolution the split
	 */
	record Script(ScriptResolution resolution) implements ScriptMatch {
	}

	/**
	 * A path of the route that {@link dev.lighttpdboot.files.SafePath} refuses (400 or 404).
	 * @param reason the refusal, ready to be answered
	 */
	record Refused(PathRefusedException reason) implements ScriptMatch {
	}

}
