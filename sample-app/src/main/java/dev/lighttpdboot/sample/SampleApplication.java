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
		return Map.of("lighttpd.document-root", site.documentRoot().toString(),
				"lighttpd.sendfile.allowed-roots", site.protectedRoot().toString(),
				"lighttpd.secdownload.enabled", "true",
				"lighttpd.secdownload.secret", "demo-secret-change-me",
				"lighttpd.secdownload.algorithm", "hmac-sha256",
				"lighttpd.secdownload.timeout", "5m",
				"lighttpd.secdownload.document-root", site.protectedRoot().toString());
	}

}
