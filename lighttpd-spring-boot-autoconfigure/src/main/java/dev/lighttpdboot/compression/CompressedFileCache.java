package dev.lighttpdboot.compression;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import dev.lighttpdboot.files.FileSystemScheduler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A private directory of files derived from served files (compressed copies, concatenated bundles), so each is
 * produced once and then sent with {@code sendfile(2)} like any file.
 * <ul>
 * <li>The directory is created by this class with mode 0700: by default a new directory under
 * {@code java.io.tmpdir}, unique to the process and removed at shutdown; a configured directory is created if
 * missing, must not be a symlink, and gets mode 0700 (which fails unless this process owns it).</li>
 * <li>A file's name is a SHA-256 of its key, and callers put the validators of every source (path, inode, size,
 * modification time) into the key: a source that changed has a new key, so a stale copy is never found.</li>
 * <li>Files are written off the event loop to a new temporary file in the directory and renamed into place
 * atomically, so a reader never sees a partial file; concurrent requests for the same key share one
 * production.</li>
 * <li>The total size is bounded: the least recently used files are deleted beyond it.</li>
 * </ul>
 */
public final class CompressedFileCache {

	private static final Log logger = LogFactory.getLog(CompressedFileCache.class);

	private static final String TEMP_PREFIX = ".tmp-";

	private static final Pattern ENTRY_NAME = Pattern.compile("[0-9a-f]{64}\\.[a-z]{1,8}");

	private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

	private final Path directory;

	private final boolean ownDirectory;

	private final long maxBytes;

	private final FileSystemScheduler fileSystem;

	private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(64, 0.75f, true);

	private final ConcurrentHashMap<String, Mono<Entry>> inFlight = new ConcurrentHashMap<>();

	private long totalBytes;

	private CompressedFileCache(Path directory, boolean ownDirectory, long maxBytes, FileSystemScheduler fileSystem) {
		this.directory = directory;
		this.ownDirectory = ownDirectory;
		this.maxBytes = maxBytes;
		this.fileSystem = fileSystem;
	}

	/**
	 * Open the cache. This blocks: call it at start-up.
	 * @param configured the directory to use, or {@code null} for a new one under {@code java.io.tmpdir}
	 * @param maxBytes the bound on the total size of the cached files
	 * @param fileSystem the scheduler files are written on
	 * @return the cache
	 * @throws IOException if the directory cannot be created or is not a directory of this process
	 */
	public static CompressedFileCache open(@Nullable Path configured, long maxBytes, FileSystemScheduler fileSystem)
			throws IOException {
		FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
		if (configured == null) {
			Path created = Files.createTempDirectory("lighttpd-compression-", ownerOnly);
			return new CompressedFileCache(created, true, maxBytes, fileSystem);
		}
		Path directory = configured.toAbsolutePath().normalize();
		if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
			Path parent = directory.getParent();
			if (parent != null) {
				Files.createDirectories(parent);
			}
			Files.createDirectory(directory, ownerOnly);
		}
		BasicFileAttributes attributes = Files.readAttributes(directory, BasicFileAttributes.class,
				LinkOption.NOFOLLOW_LINKS);
		if (!attributes.isDirectory()) {
			throw new IOException(directory + " is not a directory (symlinks are refused)");
		}
		Files.setPosixFilePermissions(directory, OWNER_ONLY);
		CompressedFileCache cache = new CompressedFileCache(directory, false, maxBytes, fileSystem);
		cache.adoptExisting();
		return cache;
	}

	private void adoptExisting() throws IOException {
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory)) {
			for (Path file : files) {
				String name = file.getFileName().toString();
				BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
						LinkOption.NOFOLLOW_LINKS);
				if (name.startsWith(TEMP_PREFIX) && attributes.isRegularFile()) {
					Files.deleteIfExists(file);
				}
				else if (ENTRY_NAME.matcher(name).matches() && attributes.isRegularFile()) {
					synchronized (this) {
						this.entries.put(name, attributes.size());
						this.totalBytes += attributes.size();
					}
				}
			}
		}
		evictBeyondBound();
	}

	/**
	 * Return the directory of this cache.
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Return the cached file for a key, without touching the file system: safe on an event loop.
	 * @param key the key, holding the validators of every source
	 * @param extension the file-name extension of this kind of entry, without dot
	 * @return the entry, or {@code null}
	 */
	public @Nullable Entry find(String key, String extension) {
		String name = fileName(key, extension);
		Long size;
		synchronized (this) {
			size = this.entries.get(name);
		}
		return (size != null) ? new Entry(this.directory.resolve(name), size) : null;
	}

	/**
	 * Return the cached file for a key, producing it on the file-system scheduler when it is missing.
	 * @param key the key, holding the validators of every source
	 * @param extension the file-name extension of this kind of entry, without dot
	 * @param producer writes the content to a new file
	 * @return the entry, or empty when the producer found its sources changed
	 */
	public Mono<Entry> get(String key, String extension, Producer producer) {
		Entry found = find(key, extension);
		if (found != null) {
			return Mono.just(found);
		}
		String name = fileName(key, extension);
		return this.inFlight.computeIfAbsent(name, (absent) -> this.fileSystem.call(() -> produce(name, producer))
			.doFinally((signal) -> this.inFlight.remove(name))
			.cache());
	}

	private @Nullable Entry produce(String name, Producer producer) throws IOException {
		Path temp = Files.createTempFile(this.directory, TEMP_PREFIX, ".part");
		boolean kept = false;
		try {
			if (!producer.write(temp)) {
				return null;
			}
			long size = Files.size(temp);
			Path target = this.directory.resolve(name);
			Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			kept = true;
			synchronized (this) {
				Long previous = this.entries.put(name, size);
				this.totalBytes += size - ((previous != null) ? previous : 0);
			}
			evictBeyondBound();
			return new Entry(target, size);
		}
		finally {
			if (!kept) {
				Files.deleteIfExists(temp);
			}
		}
	}

	private void evictBeyondBound() {
		while (true) {
			String victim;
			synchronized (this) {
				if (this.totalBytes <= this.maxBytes || this.entries.size() <= 1) {
					return;
				}
				Iterator<Map.Entry<String, Long>> eldest = this.entries.entrySet().iterator();
				Map.Entry<String, Long> entry = eldest.next();
				victim = entry.getKey();
				this.totalBytes -= entry.getValue();
				eldest.remove();
			}
			try {
				Files.deleteIfExists(this.directory.resolve(victim));
			}
			catch (IOException ex) {
				logger.warn("Could not delete evicted cache file " + victim + ": " + ex);
			}
		}
	}

	/**
	 * Return the total size of the cached files.
	 */
	public synchronized long totalBytes() {
		return this.totalBytes;
	}

	/**
	 * Return the number of cached files.
	 */
	public synchronized int size() {
		return this.entries.size();
	}

	/**
	 * Remove the directory if this cache created it for this process. Called at shutdown.
	 */
	public void close() {
		if (!this.ownDirectory) {
			return;
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory)) {
			for (Path file : files) {
				Files.deleteIfExists(file);
			}
			Files.deleteIfExists(this.directory);
		}
		catch (IOException ex) {
			logger.warn("Could not remove the compression cache " + this.directory + ": " + ex);
		}
	}

	private static String fileName(String key, String extension) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8))) + "." + extension;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Writes the content of an entry.
	 */
	@FunctionalInterface
	public interface Producer {

		/**
		 * Write the content to a new, empty file of the cache.
		 * @param target the file to write (created by the cache, not a symlink)
		 * @return {@code false} if the sources changed while they were read, so nothing must be kept
		 * @throws IOException if reading or writing fails
		 */
		boolean write(Path target) throws IOException;

	}

	/**
	 * A cached file.
	 *
	 * @param path its path in the cache directory
	 * @param size its size in bytes
	 */
	public record Entry(Path path, long size) {
	}

}
