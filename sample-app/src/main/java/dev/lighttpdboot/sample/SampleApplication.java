package dev.lighttpdboot.sample;

import java.io.IOException;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A demo of every lighttpd-spring-boot feature. Without further arguments it serves the demo content bundled in
 * the jar: a public document root, and protected files reachable through X-Sendfile and signed links.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) throws IOException {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.setDefaultProperties(demoDefaults(DemoSite.extract()));
		application.run(args);
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
