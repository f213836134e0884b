package dev.lighttpdboot.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A demo of every lighttpd-spring-boot feature. Without further arguments it serves the demo content bundled in
 * the jar: a public document root, and protected files reachable through X-Sendfile and signed links. PHP goes to
 * the php-fpm backends named by {@code --demo.php-fpm=ADDRESS[,ADDRESS...]}; without that option, to two php-cgi
 * processes the server spawns itself when php-cgi is installed, else to a php-fpm on 127.0.0.1:9000;
 * {@code --demo.php-balance=round-robin} (or static, hash) replaces the default shortest-queue balancing. When
 * uwsgi and its Python plugin are installed, {@code /py/} goes to a WSGI application over SCGI, in two uwsgi
 * processes the server spawns.
 */
@SpringBootApplication
public class SampleApplication {

	/** The uwsgi plugin the {@code /py/} route needs (Debian package uwsgi-plugin-python3). */
	static final Path PYTHON_PLUGIN = Path.of("/usr/lib/uwsgi/plugins/python3_plugin.so");

	public static void main(String[] args) throws IOException {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		DemoSite site = DemoSite.extract();
		Map<String, Object> defaults = new HashMap<>(demoDefaults(site));
		defaults.putAll(phpDefaults(option(args, "demo.php-fpm"), findOnPath("php-cgi")));
		Path uwsgi = findOnPath("uwsgi");
		if (uwsgi != null && Files.isRegularFile(PYTHON_PLUGIN)) {
			defaults.putAll(pythonDefaults(uwsgi, site));
		}
		String balance = option(args, "demo.php-balance");
		if (balance != null) {
			defaults.put("lighttpd.gateway.routes[0].balance", balance);
		}
		application.setDefaultProperties(defaults);
		application.run(args);
	}

	/**
	 * The {@code php} route: to the given php-fpm addresses (comma-separated) if any, else to spawned php-cgi
	 * processes if {@code phpCgi} is not {@code null}, else to 127.0.0.1:9000.
	 */
	static Map<String, Object> phpDefaults(String phpFpm, Path phpCgi) {
		String route = "lighttpd.gateway.routes[0].";
		Map<String, Object> php = new HashMap<>(Map.of(route + "name", "php", route + "extensions", ".php",
				route + "allow-x-sendfile", "true", route + "balance", "shortest-queue"));
		if (phpFpm == null && phpCgi != null) {
			php.put(route + "spawn.command", phpCgi + ",-b,{address}");
			php.put(route + "spawn.processes", "2");
			php.put(route + "spawn.max-connections", "4");
			php.put(route + "spawn.environment.PHP_FCGI_CHILDREN", "4");
			return php;
		}
		List<String> addresses = Arrays.asList(((phpFpm != null) ? phpFpm : "127.0.0.1:9000").split(","));
		for (int i = 0; i < addresses.size(); i++) {
			php.put(route + "backends[" + i + "].address", addresses.get(i).strip());
		}
		return php;
	}

	/**
	 * The {@code py} route: {@code /py/} to uwsgi over SCGI, two processes the server spawns on Unix sockets and
	 * balances as it does php-cgi; the application may answer with X-Sendfile.
	 */
	static Map<String, Object> pythonDefaults(Path uwsgi, DemoSite site) {
		String route = "lighttpd.gateway.routes[1].";
		String app = site.appsRoot().resolve("hello_app.py").toString();
		return Map.of(route + "name", "py", route + "protocol", "scgi", route + "path-prefix", "/py/",
				route + "document-root", site.appsRoot().toString(), route + "check-local", "false",
				route + "allow-x-sendfile", "true",
				route + "spawn.command", String.join(",", uwsgi.toString(), "--plugin", "python3", "--scgi-socket",
						"{address}", "--wsgi-file", app, "--need-app", "--master", "--processes", "1", "--die-on-term"),
				route + "spawn.processes", "2",
				route + "spawn.environment.DEMO_PROTECTED", site.protectedRoot().toString());
	}

	private static String option(String[] args, String name) {
		String prefix = "--" + name + "=";
		return Arrays.stream(args).filter((arg) -> arg.startsWith(prefix)).map((arg) -> arg.substring(prefix.length()))
			.reduce((first, last) -> last).orElse(System.getProperty(name));
	}

	private static Path findOnPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		return Arrays.stream(path.split(File.pathSeparator)).map((directory) -> Path.of(directory, command))
			.filter(Files::isExecutable).findFirst().orElse(null);
	}

	/**
	 * Default properties have the lowest precedence: anything set in application.yml or on the command line wins.
	 */
	static Map<String, Object> demoDefaults(DemoSite site) {
		return Map.ofEntries(Map.entry("lighttpd.document-root", site.documentRoot().toString()),
				Map.entry("lighttpd.sendfile.allowed-roots", site.protectedRoot().toString()),
				Map.entry("lighttpd.secdownload.enabled", "true"),
				Map.entry("lighttpd.secdownload.secret", "demo-secret-change-me"),
				Map.entry("lighttpd.secdownload.algorithm", "hmac-sha256"),
				Map.entry("lighttpd.secdownload.timeout", "5m"),
				Map.entry("lighttpd.secdownload.document-root", site.protectedRoot().toString()));
	}

}
