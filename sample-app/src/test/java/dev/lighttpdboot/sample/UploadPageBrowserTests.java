package dev.lighttpdboot.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import dev.lighttpdboot.test.peers.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real browser (headless Chromium, Debian's chromium and chromium-driver) uploads a file through
 * {@code /upload.html}; the controller is throttled to 1 MB/s so that the upload takes a few seconds, and the
 * progress bar, fed by polls of {@code /progress}, must show values between 0 and 100 before it reaches 100.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "demo.upload-throttle=1MB")
class UploadPageBrowserTests {

	private static final int SIZE = 3 * 1024 * 1024;

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		DemoProperties.register(registry);
	}

	@LocalServerPort
	int port;

	@TempDir
	Path directory;

	@Test
	void theProgressBarMovesThroughIntermediateValuesToOneHundred() throws IOException {
		Path chromedriver = Peers.require("chromium-driver", Path.of("/usr/bin/chromedriver"));
		Path chromium = Peers.require("chromium", Path.of("/usr/bin/chromium"));
		byte[] content = new byte[SIZE];
		new Random(6).nextBytes(content);
		Path file = Files.write(this.directory.resolve("upload.bin"), content);
		ChromeDriver browser = browser(chromedriver, chromium);
		try {
			browser.get("http://127.0.0.1:" + this.port + "/upload.html");
			browser.findElement(By.id("file")).sendKeys(file.toString());
			browser.findElement(By.id("send")).click();
			Set<Integer> shown = new TreeSet<>();
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
				int value = Integer.parseInt(browser.findElement(By.id("bar")).getDomProperty("value"));
				shown.add(value);
				return value == 100;
			});
			assertThat(shown).as("values the bar showed").anyMatch((value) -> value > 0 && value < 100);
			// The size is the whole multipart body: the file and the part headers around it.
			String state = await().atMost(Duration.ofSeconds(20))
				.until(() -> browser.findElement(By.id("state")).getText(), (text) -> text.startsWith("done"));
			assertThat(state).matches("done: (\\d+) of \\1 bytes");
			assertThat(Long.parseLong(state.split(" ")[1])).isBetween((long) SIZE, SIZE + 1024L);
			await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.id("result")).getText(),
					(text) -> text.contains("\"bytes\":" + SIZE));
		}
		finally {
			browser.quit();
		}
	}

	@Test
	void theStatusPageShowsThePoolAndTheUploadInProgressLive() throws IOException {
		Path chromedriver = Peers.require("chromium-driver", Path.of("/usr/bin/chromedriver"));
		Path chromium = Peers.require("chromium", Path.of("/usr/bin/chromium"));
		byte[] content = new byte[SIZE];
		new Random(7).nextBytes(content);
		Path file = Files.write(this.directory.resolve("watched.bin"), content);
		ChromeDriver browser = browser(chromedriver, chromium);
		try {
			browser.get("http://127.0.0.1:" + this.port + "/status.html");
			// The demo's PHP route, its one backend by position (no address), and no upload yet.
			await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(By.cssSelector(
					"table.pool[data-pool='php'] tr[data-backend='php-0']")).isEmpty());
			assertThat(browser.findElement(By.id("uploads-none")).isDisplayed()).isTrue();
			assertThat(browser.findElement(By.cssSelector("table.pool[data-pool='php']")).getText())
				.doesNotContain("127.0.0.1");
			String status = browser.getWindowHandle();
			browser.switchTo().newWindow(WindowType.TAB);
			browser.get("http://127.0.0.1:" + this.port + "/upload.html");
			browser.findElement(By.id("file")).sendKeys(file.toString());
			browser.findElement(By.id("send")).click();
			browser.switchTo().window(status);
			// Throttled to 1 MB/s, the 3 MiB upload is seen in progress, then gone once it is done.
			await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("uploads")).isDisplayed()
					&& browser.findElement(By.id("uploads")).getText().contains("uploading"));
			await().atMost(Duration.ofSeconds(60)).until(() -> browser.findElement(By.id("uploads-none")).isDisplayed());
		}
		finally {
			browser.quit();
		}
	}

	private ChromeDriver browser(Path chromedriver, Path chromium) throws IOException {
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
			.usingAnyFreePort()
			.build();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(chromium.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(this.directory, "profile"));
		return new ChromeDriver(service, options);
	}

}
