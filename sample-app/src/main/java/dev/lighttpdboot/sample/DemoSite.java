package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.FileSystemUtils;

/**
 * The demo content bundled in the jar. A document root must be a real directory (it is sent with sendfile and
 * checked with realpath), so at start-up the site is copied to a temporary directory, next to a {@code protected}
 * directory for X-Sendfile and signed links, and removed when the JVM exits:
 * <pre>
 * www/         the public document root (demo-site/ in the jar, plus video/demo.flv)
 * protected/   files only reachable through X-Sendfile or a signed link
 * apps/        applications behind gateway routes (the WSGI application of /py/, the Rack one of /rb/), outside the document root
 * </pre>
 */
final class DemoSite {

	private static final String LOCATION = "demo-site/";

	private final Path base;

	private DemoSite(Path base) {
		this.base = base;
	}

	static DemoSite extract() throws IOException {
		Path base = Files.createTempDirectory("lighttpd-demo-");
		Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(base), "demo-site-cleanup"));
		DemoSite site = new DemoSite(base);
		copyBundledSite(Files.createDirectories(site.documentRoot()));
		Files.createDirectories(site.documentRoot().resolve("video"));
		writeFlv(site.documentRoot().resolve("video/demo.flv"));
		Path protectedFiles = Files.createDirectories(site.protectedRoot());
		Files.writeString(protectedFiles.resolve("report.txt"),
				"Quarterly report: only for logged-in users. Sent with X-Sendfile.\n", StandardCharsets.UTF_8);
		Files.writeString(protectedFiles.resolve("notes.txt"),
				"These notes are reachable through a signed, expiring link.\n", StandardCharsets.UTF_8);
		writeFlv(protectedFiles.resolve("movie.flv"));
		Path apps = Files.createDirectories(site.appsRoot());
		try (InputStream app = DemoSite.class.getResourceAsStream("/demo-apps/hello_app.py")) {
			Files.copy(app, apps.resolve("hello_app.py"));
		}
		try (InputStream app = DemoSite.class.getResourceAsStream("/demo-apps/hello_app.ru")) {
			Files.copy(app, apps.resolve("hello_app.ru"));
		}
		return site;
	}

	/**
	 * The directory that holds www/ and protected/: application.yml's {@code demo.site}.
	 */
	Path base() {
		return this.base;
	}

	Path documentRoot() {
		return this.base.resolve("www");
	}

	Path protectedRoot() {
		return this.base.resolve("protected");
	}

	Path appsRoot() {
		return this.base.resolve("apps");
	}

	private static void copyBundledSite(Path target) throws IOException {
		PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
		String base = resolver.getResource("classpath:" + LOCATION).getURL().toString();
		for (Resource resource : resolver.getResources("classpath*:" + LOCATION + "**/*")) {
			String url = resource.getURL().toString();
			if (!resource.isReadable() || !url.startsWith(base) || url.endsWith("/")) {
				continue;
			}
			Path file = target.resolve(url.substring(base.length())).normalize();
			if (!file.startsWith(target)) {
				continue;
			}
			Files.createDirectories(file.getParent());
			try (InputStream in = resource.getInputStream()) {
				Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	/**
	 * Write an FLV file of about 2 MiB: the FLV header, then video tags of random payload. Players cannot decode
	 * it, but every tag boundary is a valid {@code ?start=} offset, which is what the demo shows.
	 */
	private static void writeFlv(Path file) throws IOException {
		Random random = new Random(1);
		try (OutputStream out = Files.newOutputStream(file)) {
			out.write(new byte[] { 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0 });
			byte[] payload = new byte[4096];
			for (int tag = 0; tag < 512; tag++) {
				random.nextBytes(payload);
				int timestamp = tag * 40;
				out.write(new byte[] { 9, 0, 0x10, 0, (byte) (timestamp >> 16), (byte) (timestamp >> 8),
						(byte) timestamp, (byte) (timestamp >> 24), 0, 0, 0 });
				out.write(payload);
				int previousTagSize = 11 + payload.length;
				out.write(new byte[] { (byte) (previousTagSize >> 24), (byte) (previousTagSize >> 16),
						(byte) (previousTagSize >> 8), (byte) previousTagSize });
			}
		}
	}

	private static void deleteQuietly(Path directory) {
		try {
			FileSystemUtils.deleteRecursively(directory);
		}
		catch (IOException ex) {
			// The JVM is exiting; a temporary directory left behind is harmless.
		}
	}

}
