package dev.lighttpdboot.compression;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.SafePath;
import reactor.core.publisher.Mono;

import org.springframework.web.util.UriUtils;

/**
 * Builds bundle URLs ({@code /js/??a.js,b.js?v=3f2a...}) for pages and templates, with a version parameter derived
 * from the members' validators: the URL changes whenever a member changes, so pages may let browsers cache
 * bundles for a long time. The version sits where Tengine's syntax ignores it (after a {@code ?} inside the list).
 */
public final class BundleLinks {

	private final FileRoot root;

	private final FileSystemScheduler fileSystem;

	private final String contextPath;

	/**
	 * Create the helper.
	 * @param root the document root the bundles are served from
	 * @param fileSystem the scheduler the members are looked up on
	 * @param contextPath the application's base path ({@code spring.webflux.base-path}), or empty
	 */
	public BundleLinks(FileRoot root, FileSystemScheduler fileSystem, String contextPath) {
		this.root = root;
		this.fileSystem = fileSystem;
		this.contextPath = (contextPath != null) ? contextPath : "";
	}

	/**
	 * Return the URL of a bundle without a version.
	 * @param directory the directory, such as {@code /js/}
	 * @param files the files relative to it, in order
	 */
	public String unversioned(String directory, List<String> files) {
		StringBuilder url = new StringBuilder(this.contextPath).append(directory.endsWith("/") ? directory : directory + "/")
			.append("??");
		for (int i = 0; i < files.size(); i++) {
			url.append((i > 0) ? "," : "").append(UriUtils.encodePath(files.get(i), StandardCharsets.UTF_8));
		}
		return url.toString();
	}

	/**
	 * Return the URL of a bundle with a version that changes when a member changes; the members are looked up on
	 * the file-system scheduler.
	 * @param directory the directory, such as {@code /js/}
	 * @param files the files relative to it, in order
	 * @return the URL; an error if a member is missing
	 */
	public Mono<String> versioned(String directory, List<String> files) {
		String url = unversioned(directory, files);
		return this.fileSystem.call(() -> url + "?v=" + version(directory, files));
	}

	private String version(String directory, List<String> files) throws IOException {
		String base = directory.endsWith("/") ? directory : directory + "/";
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (String file : files) {
				SafePath path = SafePath.parse(UriUtils.encodePath(base + file, StandardCharsets.UTF_8), HiddenFiles.REFUSED);
				FileSnapshot member = this.root.lookup(path)
					.orElseThrow(() -> new NoSuchFileException(base + file));
				digest.update(member.etag().getBytes(StandardCharsets.UTF_8));
			}
			return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
