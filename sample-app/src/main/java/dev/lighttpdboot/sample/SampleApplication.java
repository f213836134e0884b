package dev.lighttpdboot.sample;

import java.io.IOException;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A demo of every lighttpd-spring-boot feature. Without {@code --lighttpd.document-root} it serves the small
 * site bundled in the jar.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) throws IOException {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		// Default properties have the lowest precedence: any document root set by the user wins.
		application.setDefaultProperties(Map.of("lighttpd.document-root", DemoSite.extract().toString()));
		application.run(args);
	}

}
