package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.FileSystemUtils;

/**
 * The demo site bundled in the jar under {@code demo-site/}. A document root must be a real directory (it is sent
 * with sendfile and checked with realpath), so the site is copied to a temporary directory at start-up and removed
 * when the JVM exits.
 */
final class DemoSite {

	private static final String LOCATION = "demo-site/";

	private DemoSite() {
	}

	static Path extract() throws IOException {
		Path target = Files.createTempDirectory("lighttpd-demo-site-");
		Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(target), "demo-site-cleanup"));
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
		return target;
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
