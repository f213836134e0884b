package dev.lighttpdboot.sendfile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.PathRefusedException;

import org.springframework.http.HttpStatus;

/**
 * The directories a sendfile header may name files in ({@code allowed-roots}, lighttpd's
 * {@code x-sendfile-docroot}). A file is accepted when its path lies below one of them by name (checked first, with
 * no file-system call) and its real path, symlinks resolved, lies below the real path of one of them; relative
 * paths resolve against the first. With no roots at all, nothing is accepted.
 */
public final class AllowedRoots {

	private final List<FileRoot> roots;

	public AllowedRoots(List<FileRoot> roots) {
		this.roots = List.copyOf(roots);
	}

	/**
	 * Whether no root is configured (every sendfile header is then refused).
	 */
	public boolean isEmpty() {
		return this.roots.isEmpty();
	}

	/**
	 * Look a file up. This blocks: call it on the file-system scheduler.
	 * @param path an absolute path, or one relative to the first root
	 * @return the file, or empty if nothing is there
	 * @throws PathRefusedException with 403 if the real path is under no root
	 * @throws IOException if the file system fails otherwise
	 */
	public Optional<FileSnapshot> lookup(Path path) throws IOException {
		if (this.roots.isEmpty()) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "no allowed roots are configured");
		}
		Path absolute = path.isAbsolute() ? path : this.roots.get(0).realPath().resolve(path);
		// Refuse by name first, as lighttpd does, so that the answer for a path outside the roots (403) never
		// tells whether a file exists there.
		if (this.roots.stream().noneMatch((root) -> root.containsLexically(absolute))) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "path is outside every allowed root");
		}
		for (FileRoot root : this.roots) {
			try {
				return root.lookup(absolute);
			}
			catch (PathRefusedException ex) {
				if (ex.getStatusCode() != HttpStatus.FORBIDDEN) {
					throw ex;
				}
			}
		}
		throw new PathRefusedException(HttpStatus.FORBIDDEN, "real path is outside every allowed root");
	}

	@Override
	public String toString() {
		return this.roots.toString();
	}

}
