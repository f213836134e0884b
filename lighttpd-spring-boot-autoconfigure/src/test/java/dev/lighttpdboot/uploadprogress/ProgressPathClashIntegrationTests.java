package dev.lighttpdboot.uploadprogress;

import dev.lighttpdboot.test.RealServerTests;
import dev.lighttpdboot.test.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with its own {@code @GetMapping("/progress")}: it keeps its path (the upload-progress endpoint
 * gives way), and the clash is reported at start-up with both handlers named.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = { TestApplication.class, ProgressPathClashIntegrationTests.ProgressController.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProgressPathClashIntegrationTests extends RealServerTests {

	@Autowired
	UploadProgressEndpoint endpoint;

	@Test
	void theApplicationsHandlerAnswersItsPath() {
		get("/progress?X-Progress-ID=0123456789abcdef0123456789abcdef").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).isEqualTo("the application's own progress page");
		assertThat(this.endpoint.getGivenWayTo()).contains("ProgressController#progress");
	}

	@Test
	void theClashIsReportedAtStartUp(CapturedOutput output) {
		// Captured from before the context of this class (no other test class has it) started.
		String warning = output.getAll().lines().filter((line) -> line.contains("is mapped both by")).findFirst()
			.orElse("");
		assertThat(warning).contains("WARN").contains(UploadProgressEndpoint.class.getName())
			.contains("ProgressController#progress").contains("lighttpd.upload-progress.path");
	}

	@RestController
	static class ProgressController {

		@GetMapping("/progress")
		String progress() {
			return "the application's own progress page";
		}

	}

}
