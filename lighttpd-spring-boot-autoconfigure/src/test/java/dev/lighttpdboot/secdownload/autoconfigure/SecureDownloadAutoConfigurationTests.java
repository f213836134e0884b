package dev.lighttpdboot.secdownload.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import dev.lighttpdboot.files.autoconfigure.FilesAutoConfiguration;
import dev.lighttpdboot.secdownload.SecureDownloadMetrics;
import dev.lighttpdboot.secdownload.SecureDownloadWebFilter;
import dev.lighttpdboot.secdownload.SecureLinks;
import dev.lighttpdboot.test.TestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class SecureDownloadAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FilesAutoConfiguration.class, SecureDownloadAutoConfiguration.class));

	@TempDir
	Path downloads;

	private ReactiveWebApplicationContextRunner enabled() {
		return this.contextRunner.withPropertyValues("lighttpd.secdownload.enabled=true",
				"lighttpd.secdownload.secret=s3cr3t-for-tests", "lighttpd.secdownload.document-root=" + this.downloads);
	}

	@Test
	void md5IsWarnedAboutAndHmacSha256Recommended(CapturedOutput output) {
		enabled().withPropertyValues("lighttpd.secdownload.algorithm=hmac-sha256")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain("algorithm is md5");
		enabled().run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("lighttpd.secdownload.algorithm is md5")
			.contains("lighttpd.secdownload.algorithm=hmac-sha256");
	}

	@Test
	void offByDefault() {
		this.contextRunner.withPropertyValues("lighttpd.secdownload.secret=s3cr3t-for-tests",
				"lighttpd.secdownload.document-root=" + this.downloads)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(SecureLinks.class);
				assertThat(context).doesNotHaveBean(SecureDownloadWebFilter.class);
			});
	}

	@Test
	void onWhenEnabled() {
		enabled().run((context) -> {
			assertThat(context).hasSingleBean(SecureLinks.class);
			assertThat(context).hasSingleBean(SecureDownloadWebFilter.class);
			assertThat(context.getBean(SecureDownloadWebFilter.class).getOrder())
				.isEqualTo(SecureDownloadWebFilter.ORDER);
		});
	}

	@Test
	void propertiesReachTheSigner() {
		enabled().withPropertyValues("lighttpd.secdownload.algorithm=hmac-sha1", "lighttpd.secdownload.uri-prefix=/get/",
				"lighttpd.secdownload.timeout=2m", "lighttpd.secdownload.path-segments=1",
				"lighttpd.secdownload.hash-querystr=true")
			.run((context) -> {
				SecureDownloadProperties properties = context.getBean(SecureDownloadProperties.class);
				assertThat(properties.getAlgorithm()).isEqualTo(SecureLinks.Algorithm.HMAC_SHA1);
				assertThat(properties.getTimeout()).isEqualTo(Duration.ofMinutes(2));
				assertThat(properties.getPathSegments()).isEqualTo(1);
				assertThat(properties.isHashQuerystr()).isTrue();
				String link = context.getBean(SecureLinks.class).link("/a/b.txt");
				assertThat(link).matches("/get/[A-Za-z0-9_-]{27}/[0-9a-f]{8}/a/b\\.txt");
			});
	}

	@Test
	void algorithmsBindFromLighttpdsNames() {
		for (String name : new String[] { "md5", "hmac-sha1", "hmac-sha256", "HMAC_SHA256" }) {
			enabled().withPropertyValues("lighttpd.secdownload.algorithm=" + name)
				.run((context) -> assertThat(context).hasNotFailed());
		}
	}

	@Test
	void aMissingSecretStopsStartUpNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("lighttpd.secdownload.enabled=true", "lighttpd.secdownload.document-root=" + this.downloads)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.secdownload.secret"));
	}

	@Test
	void aBlankSecretStopsStartUp() {
		enabled().withPropertyValues("lighttpd.secdownload.secret=  ")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.secdownload.secret"));
	}

	@Test
	void aMissingDocumentRootStopsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=x")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.secdownload.document-root"));
	}

	@Test
	void aDocumentRootThatIsNoDirectoryStopsStartUp() {
		enabled().withPropertyValues("lighttpd.secdownload.document-root=" + this.downloads.resolve("missing"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("lighttpd.secdownload.document-root"));
	}

	@Test
	void aPrefixWithoutLeadingSlashStopsStartUp() {
		enabled().withPropertyValues("lighttpd.secdownload.uri-prefix=dl/")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("lighttpd.secdownload.uri-prefix"));
	}

	@Test
	void negativeNumbersStopStartUp() {
		enabled().withPropertyValues("lighttpd.secdownload.timeout=-1s")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.secdownload.timeout"));
		enabled().withPropertyValues("lighttpd.secdownload.path-segments=-1")
			.run((context) -> assertThat(context).getFailure().rootCause()
				.hasMessageContaining("lighttpd.secdownload.path-segments"));
	}

	@Test
	void anUnknownAlgorithmFailsBinding() {
		enabled().withPropertyValues("lighttpd.secdownload.algorithm=sha512").run((context) -> {
			assertThat(context).hasFailed();
			BindException bind = findCause(context.getStartupFailure(), BindException.class);
			assertThat(bind.getProperty().getName().toString()).isEqualTo("lighttpd.secdownload.algorithm");
			assertThat(bind.getProperty().getValue()).isEqualTo("sha512");
		});
	}

	@Test
	void anUnknownAlgorithmIsReportedByBootWithTheValidValues(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
			.web(WebApplicationType.REACTIVE)
			.properties("server.port=0", "lighttpd.secdownload.enabled=true", "lighttpd.secdownload.secret=x",
					"lighttpd.secdownload.document-root=" + this.downloads, "lighttpd.secdownload.algorithm=sha512")
			.run());
		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("Failed to bind properties under 'lighttpd.secdownload.algorithm'")
			.contains("sha512")
			.contains("HMAC_SHA1", "HMAC_SHA256", "MD5");
	}

	@Test
	void aMissingSecretIsReportedByBootWithoutAStackTrace(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
			.web(WebApplicationType.REACTIVE)
			.properties("server.port=0", "lighttpd.secdownload.enabled=true",
					"lighttpd.secdownload.document-root=" + this.downloads)
			.run());
		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("'lighttpd.secdownload.secret'")
			.contains("it must be set");
	}

	@Test
	void backsOffToAUserSecureLinksBean() {
		SecureLinks mine = new SecureLinks("/mine/", SecureLinks.Algorithm.HMAC_SHA256, "user-secret",
				Duration.ofMinutes(5), 0, false, Clock.systemUTC());
		// No lighttpd.secdownload.secret: the user's bean has its own.
		this.contextRunner
			.withPropertyValues("lighttpd.secdownload.enabled=true", "lighttpd.secdownload.document-root=" + this.downloads)
			.withBean("mySecureLinks", SecureLinks.class, () -> mine)
			.run((context) -> {
				assertThat(context).hasSingleBean(SecureLinks.class);
				assertThat(context).hasBean("mySecureLinks");
				assertThat(context).hasSingleBean(SecureDownloadWebFilter.class);
			});
	}

	@Test
	void countsInAMeterRegistryWhenThereIsOne() {
		enabled().withBean(SimpleMeterRegistry.class).run((context) -> {
			SecureDownloadMetrics metrics = context.getBean(SecureDownloadMetrics.class);
			metrics.record(SecureDownloadMetrics.Outcome.EXPIRED);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("lighttpd.secdownload.requests").tag("outcome", "expired").counter().count())
				.isEqualTo(1.0);
			assertThat(registry.get("lighttpd.secdownload.requests").counters())
				.hasSize(SecureDownloadMetrics.Outcome.values().length);
		});
	}

	@Test
	void recordsNothingWithoutARegistry() {
		enabled().run((context) -> {
			SecureDownloadMetrics metrics = context.getBean(SecureDownloadMetrics.class);
			// Unbound: recording is a no-op, not a failure.
			metrics.record(SecureDownloadMetrics.Outcome.OK);
			assertThat(((MicrometerSecureDownloadMetrics) metrics).registry()).isNull();
		});
	}

	@Test
	void worksWithoutMicrometer() {
		enabled().withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasSingleBean(SecureDownloadWebFilter.class);
			assertThat(context).doesNotHaveBean(SecureDownloadMetrics.class);
		});
	}

	@Test
	void backsOffToAUserMetricsBean() {
		SecureDownloadMetrics mine = (outcome) -> {
		};
		enabled().withBean(SimpleMeterRegistry.class)
			.withBean(SecureDownloadMetrics.class, () -> mine)
			.run((context) -> assertThat(context.getBean(SecureDownloadMetrics.class)).isSameAs(mine));
	}

	private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
	}

}
