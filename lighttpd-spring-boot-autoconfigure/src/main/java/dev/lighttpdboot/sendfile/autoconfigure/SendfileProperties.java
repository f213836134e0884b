package dev.lighttpdboot.sendfile.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of X-Sendfile: handlers answer with a header naming a file, and the server sends the file.
 */
@ConfigurationProperties("lighttpd.sendfile")
public class SendfileProperties {

	/**
	 * Whether handlers may answer with a sendfile header.
	 */
	private boolean enabled = true;

	/**
	 * Headers that are honoured: X-Sendfile, X-LIGHTTPD-send-file, X-Sendfile2 and X-Accel-Redirect.
	 */
	private List<String> headers = new ArrayList<>(
			List.of("X-Sendfile", "X-LIGHTTPD-send-file", "X-Sendfile2", "X-Accel-Redirect"));

	/**
	 * Directories that X-Sendfile and X-Sendfile2 paths must lie in, after resolving symlinks; relative paths in a
	 * header resolve against the first. Defaults to lighttpd.document-root when empty.
	 */
	private List<Path> allowedRoots = new ArrayList<>();

	/**
	 * X-Accel-Redirect URI prefixes, each starting with "/", and the directories they stand for. In YAML, write
	 * the prefix in brackets to keep its slashes: '"[/protected/]": /srv/files'.
	 */
	private Map<String, Path> accelLocations = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<String> getHeaders() {
		return this.headers;
	}

	public void setHeaders(List<String> headers) {
		this.headers = headers;
	}

	public List<Path> getAllowedRoots() {
		return this.allowedRoots;
	}

	public void setAllowedRoots(List<Path> allowedRoots) {
		this.allowedRoots = allowedRoots;
	}

	public Map<String, Path> getAccelLocations() {
		return this.accelLocations;
	}

	public void setAccelLocations(Map<String, Path> accelLocations) {
		this.accelLocations = accelLocations;
	}

}
