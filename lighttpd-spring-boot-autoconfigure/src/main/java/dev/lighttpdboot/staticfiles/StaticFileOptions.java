package dev.lighttpdboot.staticfiles;

import java.util.List;

import dev.lighttpdboot.files.HiddenFiles;

/**
 * How the document root is served: the index files tried for a directory, whether a directory without one is
 * listed, and whether hidden files are served. Immutable; each {@code with} method returns a copy.
 */
public final class StaticFileOptions {

	private final List<String> indexFiles;

	private final boolean listDirectories;

	private final HiddenFiles hiddenFiles;

	private StaticFileOptions(List<String> indexFiles, boolean listDirectories, HiddenFiles hiddenFiles) {
		this.indexFiles = List.copyOf(indexFiles);
		this.listDirectories = listDirectories;
		this.hiddenFiles = hiddenFiles;
	}

	/**
	 * Return options that try {@code indexFiles}, in order, for a directory, list no directory (403 instead) and
	 * refuse hidden files.
	 */
	public static StaticFileOptions indexFiles(List<String> indexFiles) {
		return new StaticFileOptions(indexFiles, false, HiddenFiles.REFUSED);
	}

	/**
	 * Return a copy that lists a directory without an index file, or not (403).
	 */
	public StaticFileOptions withDirectoryListing(boolean listDirectories) {
		return new StaticFileOptions(this.indexFiles, listDirectories, this.hiddenFiles);
	}

	/**
	 * Return a copy that serves or refuses hidden files.
	 */
	public StaticFileOptions withHiddenFiles(HiddenFiles hiddenFiles) {
		return new StaticFileOptions(this.indexFiles, this.listDirectories, hiddenFiles);
	}

	/**
	 * Return the file names tried, in order, for a directory.
	 */
	public List<String> indexFiles() {
		return this.indexFiles;
	}

	/**
	 * Whether a directory without an index file is listed (else 403).
	 */
	public boolean listsDirectories() {
		return this.listDirectories;
	}

	/**
	 * Return whether paths with a segment starting with a dot are served.
	 */
	public HiddenFiles hiddenFiles() {
		return this.hiddenFiles;
	}

}
