package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

import org.springframework.http.HttpStatus;

/**
 * A directory that files may be served from. Lookups resolve symlinks and accept a file only when its real path
 * stays below the real path of this directory, so neither {@code ..} tricks nor symlinks lead outside it.
 * <p>Lookups block on the file system: run them on a scheduler for blocking work, never on an event loop.
 */
public final class FileRoot {

	private final Path configuredPath;

	private final Path realPath;

	private final boolean allowHidden;

	private FileRoot(Path configuredPath, Path realPath, boolean allowHidden) {
		this.configuredPath = configuredPath;
		this.realPath = realPath;
		this.allowHidden = allowHidden;
	}

	/**
	 * Open a root directory, resolving its real path once. This blocks; call it at start-up or on a blocking
	 * scheduler.
	 * @param directory an existing directory
	 * @param allowHidden whether files whose real path has a segment starting with a dot may be served
	 * @return the root
	 * @throws IOException if the directory does not exist or is not a directory
	 */
	public static FileRoot open(Path directory, boolean allowHidden) throws IOException {
		Path absolute = directory.toAbsolutePath().normalize();
		Path real = absolute.toRealPath();
		if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
			throw new NotDirectoryException(directory.toString());
		}
		return new FileRoot(absolute, real, allowHidden);
	}

	/**
	 * Return the real path of this root.
	 */
	public Path realPath() {
		return this.realPath;
	}

	/**
	 * Whether a path lies below this root by its name alone, as configured or as its real path; no file-system
	 * call. A path that fails this test can be refused before anyone learns whether it exists.
	 */
	public boolean containsLexically(Path absolutePath) {
		Path normalized = absolutePath.normalize();
		return normalized.startsWith(this.realPath) || normalized.startsWith(this.configuredPath);
	}

	/**
	 * Look up a request path below this root. This blocks.
	 * @param path the checked request path
	 * @return the file or directory, or empty if nothing is there (or it is hidden)
	 * @throws PathRefusedException with 403 if the real path leaves this root through a symlink
	 * @throws IOException if the file system fails otherwise
	 */
	public Optional<FileSnapshot> lookup(SafePath path) throws IOException {
		return lookup(path.resolveAgainst(this.realPath));
	}

	/**
	 * Look up a file given by a path that may be absolute or relative to this root (relative paths resolve
	 * against it). This blocks.
	 * @param candidate the path to check
	 * @return the file or directory, or empty if nothing is there (or it is hidden)
	 * @throws PathRefusedException with 403 if the real path is not below this root
	 * @throws IOException if the file system fails otherwise
	 */
	public Optional<FileSnapshot> lookup(Path candidate) throws IOException {
		Path real;
		try {
			real = this.realPath.resolve(candidate).toRealPath();
		}
		catch (AccessDeniedException ex) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "permission denied");
		}
		catch (NoSuchFileException | NotDirectoryException ex) {
			return Optional.empty();
		}
		catch (FileSystemException ex) {
			if (namesNothing(ex)) {
				return Optional.empty();
			}
			throw ex;
		}
		if (!real.startsWith(this.realPath)) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "real path is outside the root");
		}
		if (!this.allowHidden && isHidden(this.realPath.relativize(real))) {
			return Optional.empty();
		}
		BasicFileAttributes attributes;
		try {
			// The real path has no symlink by definition; if its last name is one now, the file was swapped
			// between realpath and stat: following it could describe a file outside the root.
			attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		}
		catch (NoSuchFileException ex) {
			// Removed between realpath and stat.
			return Optional.empty();
		}
		catch (AccessDeniedException ex) {
			throw new PathRefusedException(HttpStatus.FORBIDDEN, "permission denied");
		}
		if (attributes.isSymbolicLink()) {
			return Optional.empty();
		}
		return Optional.of(FileSnapshot.of(real, attributes, this.realPath));
	}

	static boolean namesNothing(FileSystemException ex) {
		// ENOTDIR ("a.txt/b"), ENAMETOOLONG and ELOOP: nothing can be served under that name, so 404. Other
		// errors (EIO, ...) propagate and end as a logged 500.
		String reason = ex.getReason();
		return reason != null && (reason.equals("Not a directory") || reason.equals("File name too long")
				|| reason.equals("Too many levels of symbolic links"));
	}

	private static boolean isHidden(Path relative) {
		for (Path segment : relative) {
			String name = segment.toString();
			if (!name.isEmpty() && name.charAt(0) == '.') {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return this.realPath.toString();
	}

}
