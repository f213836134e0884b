package dev.lighttpdboot.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A demo of every lighttpd-spring-boot feature, configured by its {@code application.yml}. Without further arguments
 * it serves the demo content bundled in the jar: a public document root, and protected files reachable through
 * X-Sendfile and signed links. PHP goes to the php-fpm backends named by {@code --demo.php-fpm=ADDRESS[,ADDRESS...]};
 * without that option, to two php-cgi processes the server spawns itself when php-cgi is installed, else to a
 * php-fpm on 127.0.0.1:9000; {@code --demo.php-balance=round-robin} (or static, hash) replaces the default
 * shortest-queue balancing. When uwsgi and its Python plugin are installed, {@code /py/} goes to a WSGI application
 * over SCGI, in two uwsgi processes the server spawns; when puma is, {@code /rb/} goes to a Rack application over
 * HTTP, in two puma processes. {@code /java/} goes over AJP13 to the Tomcat AJP connectors
 * named by {@code --demo.java-backends=ADDRESS[,ADDRESS...]} (none runs by default: it answers 503). {@code main} only fills in the {@code demo.*} placeholders of
 * application.yml: the extracted site and the backends it found, and it gives Reactor Netty one event loop per core
 * (see {@link #eventLoopsPerCore}).
 */
@SpringBootApplication
public class SampleApplication {

	/** The uwsgi plugin the {@code /py/} route needs (Debian package uwsgi-plugin-python3). */
	static final Path PYTHON_PLUGIN = Path.of("/usr/lib/uwsgi/plugins/python3_plugin.so");

	/** Reactor Netty's system property for the number of its event loops. */
	static final String EVENT_LOOPS_PROPERTY = "reactor.netty.ioWorkerCount";

	public static void main(String[] args) throws IOException {
		eventLoopsPerCore(System.getProperties(), Runtime.getRuntime().availableProcessors());
		SpringApplication application = new SpringApplication(SampleApplication.class);
		DemoSite site = DemoSite.extract();
		Map<String, Object> defaults = new HashMap<>(demoDefaults(site));
		defaults.putAll(phpDefaults(option(args, "demo.php-fpm"), findOnPath("php-cgi")));
		Path uwsgi = findOnPath("uwsgi");
		defaults.putAll(pythonDefaults((uwsgi != null && Files.isRegularFile(PYTHON_PLUGIN)) ? uwsgi : null, site));
		defaults.putAll(rubyDefaults(findOnPath("puma"), site));
		application.setDefaultProperties(defaults);
		application.run(args);
	}

	/**
	 * One event loop per core this JVM may use, as the README recommends for a server, unless
	 * {@code -Dreactor.netty.ioWorkerCount} is given. Reactor Netty's own default is at least four loops, which on
	 * fewer cores take turns, and each turn then serves fewer connections, so the hand-overs that the requests of
	 * one turn share (the check of a small file kept in memory) are shared by fewer. Nothing in this application
	 * blocks an event loop, which is what the extra loops would be for. Reactor Netty reads the property once, when
	 * its loop resources are first used, so this runs first in {@code main}.
	 */
	static void eventLoopsPerCore(Properties system, int cores) {
		if (system.getProperty(EVENT_LOOPS_PROPERTY) == null) {
			system.setProperty(EVENT_LOOPS_PROPERTY, Integer.toString(Math.max(1, cores)));
		}
	}

	/**
	 * The {@code php} route's backends, as application.yml's placeholders: the given php-fpm addresses
	 * (comma-separated) if any, else spawned php-cgi processes if {@code phpCgi} is not {@code null}, else
	 * 127.0.0.1:9000.
	 */
	static Map<String, Object> phpDefaults(@Nullable String phpFpm, @Nullable Path phpCgi) {
		if (phpFpm == null && phpCgi != null) {
			return Map.of("demo.php-cgi-command", phpCgi + ",-b,{address}");
		}
		String addresses = Arrays.stream(((phpFpm != null) ? phpFpm : "127.0.0.1:9000").split(","))
			.map(String::strip)
			.collect(Collectors.joining(","));
		return Map.of("demo.php-backends", addresses);
	}

	/**
	 * The {@code py} route's backends, as application.yml's placeholders: two uwsgi processes the server spawns on
	 * Unix sockets when {@code uwsgi} (with its Python plugin) is not {@code null}, else none: application.yml's
	 * default, an address where nothing listens, stays (the route answers 503, as the PHP route does without PHP).
	 */
	static Map<String, Object> pythonDefaults(@Nullable Path uwsgi, DemoSite site) {
		if (uwsgi == null) {
			return Map.of();
		}
		String app = site.appsRoot().resolve("hello_app.py").toString();
		return Map.of("demo.py-backends", "", "demo.uwsgi-command", String.join(",", uwsgi.toString(), "--plugin",
				"python3", "--scgi-socket", "{address}", "--wsgi-file", app, "--need-app", "--master", "--processes", "1",
				"--die-on-term"));
	}

	/**
	 * The {@code rb} route's backends, as application.yml's placeholders: two puma processes the server spawns on
	 * Unix sockets when {@code puma} is not {@code null}, else none (the route answers 503).
	 */
	static Map<String, Object> rubyDefaults(@Nullable Path puma, DemoSite site) {
		if (puma == null) {
			return Map.of();
		}
		String app = site.appsRoot().resolve("hello_app.ru").toString();
		return Map.of("demo.rb-backends", "", "demo.puma-command", String.join(",", puma.toString(), "--environment",
				"production", "--threads", "4:4", "--bind", "unix://{address}", app));
	}

	private static @Nullable String option(String[] args, String name) {
		String prefix = "--" + name + "=";
		return Arrays.stream(args).filter((arg) -> arg.startsWith(prefix)).map((arg) -> arg.substring(prefix.length()))
			.reduce((first, last) -> last).orElse(System.getProperty(name));
	}

	private static @Nullable Path findOnPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		return Arrays.stream(path.split(File.pathSeparator)).map((directory) -> Path.of(directory, command))
			.filter(Files::isExecutable).findFirst().orElse(null);
	}

	/**
	 * Default properties have the lowest precedence: anything set on the command line wins.
	 */
	static Map<String, Object> demoDefaults(DemoSite site) {
		return Map.of("demo.site", site.base().toString());
	}

}
