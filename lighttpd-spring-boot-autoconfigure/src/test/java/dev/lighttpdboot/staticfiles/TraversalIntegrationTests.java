package dev.lighttpdboot.staticfiles;

import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.test.DebugLogging;
import dev.lighttpdboot.test.RawHttp;
import dev.lighttpdboot.test.RealServerTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Request targets written to the socket exactly as an attacker would send them (WebTestClient would normalise
 * them first). None may ever return a file outside the document root, nor a hidden file.
 */
@ExtendWith(OutputCaptureExtension.class)
class TraversalIntegrationTests extends RealServerTests {

	static List<String> attacks() {
		List<String> targets = new ArrayList<>(List.of("/../secret.txt", "/../../secret.txt", "/docs/../../secret.txt",
				"/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
				"/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/docs%2f..%2f..%2fsecret.txt",
				"/..%5csecret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/%252e%252e/secret.txt",
				"/%c0%ae%c0%ae/secret.txt", "/%c0%af../secret.txt", "/..;/secret.txt", "/;/../secret.txt",
				"/hello.txt%00", "/hello.txt%00.html", "/secret.txt%00/../hello.txt", "/./../secret.txt",
				"//../secret.txt", "/docs/./.././../secret.txt", "/link-out.txt", "/link-dir-out/secret.txt",
				"/link-sibling/secret.txt", "/link-relative-out.txt", "/link-dir-out/", "/link-sibling/",
				"/.hidden.txt", "/.git/config", "/%2ehidden.txt", "/%2egit/config", "/docs/../.git/config",
				"/../www-sibling/secret.txt", "/%2e%2e/www-sibling/secret.txt", "/..", "/%2e%2e",
				"/.%00./secret.txt", "/%u002e%u002e/secret.txt", "/hello.txt/../../secret.txt",
				"/..%252fsecret.txt", "/%2e%2e%5csecret.txt", "/....//secret.txt", "/...//secret.txt"));
		targets.add("/" + "../".repeat(20) + "etc/passwd");
		targets.add("/" + "%2e%2e/".repeat(20) + "etc/passwd");
		return targets;
	}

	@Test
	void refusalsAreNotLoggedAtTheDefaultLevel(CapturedOutput output) throws Exception {
		// An attacker can send these as fast as the connection allows: they must not grow the log.
		assertThat(new RawHttp(this.port).get("/docs/%2e%2e/%2e%2e/secret.txt?probe=quiet").status()).isEqualTo(400);
		assertThat(new RawHttp(this.port).get("/link-out.txt?probe=quiet").status()).isEqualTo(403);
		assertThat(new RawHttp(this.port).get("/hello.txt").status()).isEqualTo(200);
		assertThat(output.getOut()).doesNotContain("Refused GET");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("attacks")
	void neverServesWhatLiesOutsideTheRoot(String target) throws Exception {
		RawHttp.Response response = new RawHttp(this.port).get(target);
		assertThat(response.status()).as(target).isIn(400, 403, 404);
		response.assertRevealsNothing(target);
	}

	@Test
	void aRefusalIsLoggedOnceWithItsReason(CapturedOutput output) throws Exception {
		try (DebugLogging debug = DebugLogging.of(StaticFileHandlerMapping.class)) {
			assertThat(new RawHttp(this.port).get("/docs/%2e%2e/%2e%2e/secret.txt?probe=log").status()).isEqualTo(400);
			assertThat(new RawHttp(this.port).get("/link-out.txt?probe=log").status()).isEqualTo(403);
			await().untilAsserted(() -> assertThat(output.getOut())
				.containsOnlyOnce("Refused GET /docs/%2e%2e/%2e%2e/secret.txt with 400: '..' segment")
				.containsOnlyOnce("Refused GET /link-out.txt with 403: real path is outside the root"));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("attacks")
	void headIsRefusedAlike(String target) throws Exception {
		RawHttp.Response response = new RawHttp(this.port).exchange("HEAD", target, "");
		assertThat(response.status()).as(target).isIn(400, 403, 404);
	}

}
