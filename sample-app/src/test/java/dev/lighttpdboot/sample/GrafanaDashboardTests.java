package dev.lighttpdboot.sample;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lighttpdboot.test.peers.Prometheus;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard in {@code docs/grafana} can only name meters that exist: a real Prometheus scrapes the
 * sample app while the test drives every feature the dashboard shows, and every query of every panel must then
 * return data through Prometheus's HTTP API.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrafanaDashboardTests {

	private static final Path DASHBOARD = Path.of("../docs/grafana/lighttpd-spring-boot.json");

	@DynamicPropertySource
	static void demoSite(DynamicPropertyRegistry registry) {
		DemoProperties.register(registry);
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@Test
	void everyQueryOfTheDashboardReturnsData() throws Exception {
		List<String> queries = queries();
		assertThat(queries).hasSizeGreaterThan(10);
		Prometheus prometheus = new Prometheus(this.managementPort);
		prometheus.start();
		try {
			String api = "http://127.0.0.1:" + prometheus.port() + "/api/v1/query?query=";
			await("Prometheus scraping the app").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
				.until(() -> !results(api, "up{job=\"sample-app\"} == 1").isEmpty());
			driveTraffic();
			List<String> missing = new ArrayList<>();
			for (String query : queries) {
				String concrete = query.replace("$__rate_interval", "1m").replace("$instance", ".*");
				try {
					await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
						.until(() -> !results(api, concrete).isEmpty());
				}
				catch (ConditionTimeoutException ex) {
					missing.add(query);
				}
				// Traffic again, so that rates over the last minute keep seeing requests while the checks go on.
				driveTraffic();
			}
			assertThat(missing).as("dashboard queries without data").isEmpty();
		}
		finally {
			prometheus.stop();
		}
	}

	private void driveTraffic() {
		WebTestClient client = WebTestClient.bindToServer(new JdkClientHttpConnector(this.http))
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		client.get().uri("/hello.txt").exchange().expectStatus().isOk();
		// No backend listens in this test: 503s, a failure and a disabled backend for the gateway panels.
		client.get().uri("/hello.php").exchange().expectStatus().is5xxServerError();
		client.get().uri("/download/report.txt").cookie("demo-session", "logged-in").exchange()
			.expectStatus().isOk();
		// Read to its end: an answer left unread is a request still under way, which a graceful shutdown waits for.
		client.get().uri("/video/demo.flv?start=13").exchange().expectStatus().isOk().expectBody(Void.class);
		String page = client.get().uri("/links").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		Matcher link = Pattern.compile("href=\"(/dl/[^\"]+/notes\\.txt)\"").matcher(page);
		assertThat(link.find()).isTrue();
		client.get().uri(URI.create("http://127.0.0.1:" + this.port + link.group(1))).exchange().expectStatus().isOk();
		client.get().uri("/dl/0000000000000000000000000000000000000000000/6a3e1f00/notes.txt").exchange()
			.expectStatus().is4xxClientError();
		MultipartBodyBuilder upload = new MultipartBodyBuilder();
		upload.part("file", new byte[256 * 1024]).filename("dashboard.bin").contentType(MediaType.APPLICATION_OCTET_STREAM);
		client.post().uri("/upload?X-Progress-ID=dashboard-" + System.nanoTime())
			.body(BodyInserters.fromMultipartData(upload.build()))
			.exchange()
			.expectStatus().isOk();
	}

	@SuppressWarnings("unchecked")
	private List<Object> results(String api, String query) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create(api + URLEncoder.encode(query, StandardCharsets.UTF_8)))
					.timeout(Duration.ofSeconds(10))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
		Map<String, Object> body = JsonParserFactory.getJsonParser().parseMap(response.body());
		return (List<Object>) ((Map<String, Object>) body.get("data")).get("result");
	}

	@SuppressWarnings("unchecked")
	private static List<String> queries() throws IOException {
		Map<String, Object> dashboard = JsonParserFactory.getJsonParser().parseMap(Files.readString(DASHBOARD));
		List<String> queries = new ArrayList<>();
		for (Object panel : (List<Object>) dashboard.get("panels")) {
			for (Object target : (List<Object>) ((Map<String, Object>) panel).get("targets")) {
				queries.add((String) ((Map<String, Object>) target).get("expr"));
			}
		}
		return queries;
	}

}
