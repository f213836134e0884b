package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * php-fpm (Debian package {@code php-fpm}) with a pool of its own: one static pool on a free loopback port, run
 * in the foreground with its configuration, pid file and error log in a temporary directory.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final PhpFpm phpFpm = PhpFpm.onFreePort().children(2).maxRequests(3);
 * </pre>
 *
 * The pool sets no {@code user}: php-fpm then runs its workers as the user of the JVM, which for root needs
 * {@code -R}. A {@code user = nobody} pool would work too, but its workers could not read scripts in a
 * {@link Files#createTempDirectory temporary directory} (mode 700) owned by root.
 */
public final class PhpFpm extends PeerProcess {

	private static final Path SBIN = Path.of("/usr/sbin");

	private static final Path PREFERRED = SBIN.resolve("php-fpm8.2");

	private final Path documentRoot;

	private int children = 4;

	private int maxRequests;

	private Duration requestTerminateTimeout = Duration.ZERO;

	private final Map<String, String> poolSettings = new LinkedHashMap<>();

	private PhpFpm(Path documentRoot) {
		super("php-fpm");
		this.documentRoot = documentRoot;
	}

	/** php-fpm whose document root is a {@code www} directory in its own temporary directory. */
	public static PhpFpm onFreePort() {
		return new PhpFpm(null);
	}

	/** php-fpm whose workers start in {@code documentRoot}, which the caller owns and deletes. */
	public static PhpFpm onFreePort(Path documentRoot) {
		return new PhpFpm(documentRoot);
	}

	/** The number of workers ({@code pm = static}, {@code pm.max_children}); 4 unless set. */
	public PhpFpm children(int children) {
		assertNotStarted();
		this.children = children;
		return this;
	}

	/** After how many requests a worker is replaced ({@code pm.max_requests}); 0, never, unless set. */
	public PhpFpm maxRequests(int maxRequests) {
		assertNotStarted();
		this.maxRequests = maxRequests;
		return this;
	}

	/**
	 * After how long the master SIGTERMs a busy worker ({@code request_terminate_timeout}, whole seconds, checked
	 * about once a second); zero, never, unless set.
	 */
	public PhpFpm requestTerminateTimeout(Duration timeout) {
		assertNotStarted();
		this.requestTerminateTimeout = timeout;
		return this;
	}

	/** Any other pool directive, e.g. {@code pm.status_path} or {@code php_admin_value[memory_limit]}. */
	public PhpFpm poolSetting(String name, String value) {
		assertNotStarted();
		this.poolSettings.put(name, value);
		return this;
	}

	/**
	 * The directory whose scripts the tests name in {@code SCRIPT_FILENAME}; one of its own exists only while it
	 * runs, so write scripts in {@code @BeforeAll} or the test.
	 */
	public Path documentRoot() {
		return (this.documentRoot != null) ? this.documentRoot : directory().resolve("www");
	}

	@Override
	protected List<String> prepare(Path directory, int port) throws IOException {
		Path binary = Peers.require("php-fpm", findBinary());
		Path root = (this.documentRoot != null) ? this.documentRoot : Files.createDirectory(directory.resolve("www"));
		List<String> lines = new ArrayList<>(List.of("[global]", "pid = " + directory.resolve("php-fpm.pid"),
				"error_log = " + logFile(directory), "daemonize = no", "", "[test]", "listen = 127.0.0.1:" + port,
				"pm = static", "pm.max_children = " + this.children, "pm.max_requests = " + this.maxRequests,
				"request_terminate_timeout = " + this.requestTerminateTimeout.toSeconds() + "s",
				// Worker STDERR (error_log() without FastCGI, crashes) lands in the error log, for errorLog().
				"catch_workers_output = yes", "security.limit_extensions = .php", "chdir = " + root));
		this.poolSettings.forEach((name, value) -> lines.add(name + " = " + value));
		Path config = Files.write(directory.resolve("php-fpm.conf"), lines);
		// -F: foreground, so that the JVM owns the master; -R: allow root, see the class comment.
		return List.of(binary.toString(), "-F", "-R", "-y", config.toString());
	}

	@Override
	protected Path logFile(Path directory) {
		return directory.resolve("error.log");
	}

	private static Path findBinary() {
		if (Files.isRegularFile(PREFERRED)) {
			return PREFERRED;
		}
		// Other Debian releases ship another PHP version, e.g. php-fpm8.4.
		try (DirectoryStream<Path> candidates = Files.newDirectoryStream(SBIN, "php-fpm*")) {
			for (Path candidate : candidates) {
				return candidate;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return PREFERRED;
	}

	private void assertNotStarted() {
		if (isStarted()) {
			throw new IllegalStateException("php-fpm is running; configure it before it starts");
		}
	}

}
