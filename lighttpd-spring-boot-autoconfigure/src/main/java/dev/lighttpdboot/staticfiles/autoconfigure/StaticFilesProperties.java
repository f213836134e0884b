package dev.lighttpdboot.staticfiles.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the static document root ({@code lighttpd.document-root}).
 */
@ConfigurationProperties("lighttpd.static-files")
public class StaticFilesProperties {

	/**
	 * Whether the document root is served at "/" (it is only when lighttpd.document-root is set).
	 */
	private boolean enabled = true;

	/**
	 * File names tried, in order, when a directory is requested.
	 */
	private List<String> indexFiles = new ArrayList<>(List.of("index.html"));

	/**
	 * Whether a directory without an index file is answered with a listing instead of 403.
	 */
	private boolean dirListing = false;

	/**
	 * Whether files and directories whose name starts with a dot are served (and listed).
	 */
	private boolean serveHiddenFiles = false;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<String> getIndexFiles() {
		return this.indexFiles;
	}

	public void setIndexFiles(List<String> indexFiles) {
		this.indexFiles = indexFiles;
	}

	public boolean isDirListing() {
		return this.dirListing;
	}

	public void setDirListing(boolean dirListing) {
		this.dirListing = dirListing;
	}

	public boolean isServeHiddenFiles() {
		return this.serveHiddenFiles;
	}

	public void setServeHiddenFiles(boolean serveHiddenFiles) {
		this.serveHiddenFiles = serveHiddenFiles;
	}

}
