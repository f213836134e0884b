package dev.lighttpdboot.gateway.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a user sees when the gateway's configuration is wrong: a start-up report naming the property they set, not
 * a stack trace; and a warning for a backend host that does not resolve.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupReportTests {

	@TempDir
	Path root;

	@Test
	void aSpawnCommandThatDoesNotExistIsReportedUnderItsProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--lighttpd.gateway.routes[0].name=legacy",
				"--lighttpd.gateway.routes[0].path-prefix=/legacy/",
				"--lighttpd.gateway.routes[0].document-root=" + this.root,
				"--lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9",
				"--lighttpd.gateway.routes[1].name=php", "--lighttpd.gateway.routes[1].extensions=.php",
				"--lighttpd.gateway.routes[1].document-root=" + this.root,
				"--lighttpd.gateway.routes[1].spawn.command=no-such-fastcgi-program,-b,{address}"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The processes of gateway route 'php' could not be started")
			.contains("Property: lighttpd.gateway.routes[1].spawn.command")
			.contains("no-such-fastcgi-program")
			.contains("apt-get install php-cgi");
		assertThat(stackFrames(output.getOut())).as("stack frames on standard output").isLessThan(5);
	}

	@Test
	void aMissingInheritedDocumentRootIsReportedUnderTheSharedProperty(CapturedOutput output) {
		Path missing = this.root.resolve("missing");
		assertThatException().isThrownBy(() -> run("--lighttpd.document-root=" + missing,
				"--lighttpd.static-files.enabled=false", "--lighttpd.gateway.routes[0].name=php",
				"--lighttpd.gateway.routes[0].extensions=.php",
				"--lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("'lighttpd.document-root'")
			.doesNotContain("lighttpd.gateway.routes[0].document-root");
	}

	@Test
	void aBackendHostThatDoesNotResolveIsWarnedAbout(CapturedOutput output) {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, GatewayAutoConfiguration.class))
			.withPropertyValues("lighttpd.gateway.routes[0].name=php", "lighttpd.gateway.routes[0].extensions=.php",
					"lighttpd.gateway.routes[0].document-root=" + this.root,
					"lighttpd.gateway.routes[0].backends[0].address=127.0.0.1:9000",
					"lighttpd.gateway.routes[0].backends[1].address=php-fpm.no-such-host.invalid:9000")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("php-fpm.no-such-host.invalid:9000")
			.contains("lighttpd.gateway.routes[0].backends[1].address")
			.contains("does not resolve")
			.doesNotContain("127.0.0.1:9000 (lighttpd");
	}

	private static void run(String... args) {
		SpringApplication application = new SpringApplication(TestApplication.class);
		application.setWebApplicationType(WebApplicationType.REACTIVE);
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--server.port=0");
		all.add("--spring.main.banner-mode=off");
		application.run(all.toArray(String[]::new)).close();
	}

	private static long stackFrames(String text) {
		return text.lines().filter((line) -> line.trim().startsWith("at ")).count();
	}

}
