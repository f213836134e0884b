package dev.lighttpdboot.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lighttpdboot.test.peers.HaProxy;
import dev.lighttpdboot.test.peers.Peers;
import dev.lighttpdboot.test.peers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes of the sample app sharing upload progress through a real redis-server, behind a real HAProxy that
 * sends requests to them in turn: an upload that one node receives is polled through the balancer, so on both
 * nodes, and every poll reports it; the same while Redis is killed and restarted during the upload.
 */
class SeveralNodesTests {

	private static final Pattern STATE = Pattern.compile("\"state\":\"(\\w+)\"");

	private static final Pattern RECEIVED = Pattern.compile("\"received\":(\\d+)");

	private static final byte[] FILE = new byte[6 * 1024 * 1024];

	/** Twelve seconds at the nodes' 1 MB/s: time for Lettuce to reconnect (with back-off) after the restart. */
	private static final byte[] LONGER_FILE = new byte[12 * 1024 * 1024];

	private static RedisServer redis;

	private static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	private static HaProxy balancer;

	private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5)).build();

	private static final Path PHP_CGI = Path.of("/usr/bin/php-cgi");

	@BeforeAll
	static void start() throws IOException {
		Peers.require("php-cgi", PHP_CGI);
		new Random(16).nextBytes(FILE);
		new Random(17).nextBytes(LONGER_FILE);
		redis = new RedisServer();
		redis.start();
		nodes.add(node());
		nodes.add(node());
		balancer = new HaProxy(new int[] { port(nodes.get(0)), port(nodes.get(1)) },
				new int[] { managementPort(nodes.get(0)), managementPort(nodes.get(1)) });
		balancer.start();
		// Both nodes in service before the tests count on it.
		List<String> served = new ArrayList<>();
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			served.add(get(balancer.port(), "/hello.txt").headers().firstValue("X-Served-By").orElse(""));
			return served.contains("n1") && served.contains("n2");
		});
	}

	private static ConfigurableApplicationContext node() throws IOException {
		return new SpringApplicationBuilder(SampleApplication.class)
			.properties(SampleApplication.demoDefaults(DemoSite.extract()))
			// A node with no usable PHP backend is DOWN (its pool's health checks say so) and haproxy would take it
			// out: each node spawns its php-cgi, as the demo does.
			.properties(SampleApplication.phpDefaults(null, PHP_CGI))
			// Command-line arguments, as an operator starts a node: they win over application.yml.
			.run("--server.port=0", "--management.server.port=0", "--lighttpd.upload-progress.store=redis", "--spring.data.redis.host=127.0.0.1",
					"--spring.data.redis.port=" + redis.port(), "--demo.upload-throttle=1MB");
	}

	private static int port(ConfigurableApplicationContext node) {
		return Integer.parseInt(node.getEnvironment().getProperty("local.server.port"));
	}

	private static int managementPort(ConfigurableApplicationContext node) {
		return Integer.parseInt(node.getEnvironment().getProperty("local.management.port"));
	}

	@AfterAll
	static void stop() {
		if (balancer != null) {
			balancer.stop();
		}
		nodes.forEach(ConfigurableApplicationContext::close);
		if (redis != null) {
			redis.stop();
		}
	}

	@Test
	void everyPollThroughTheBalancerReportsTheUploadRisingThenDone() {
		String id = "0123456789abcdef0123456789abc001";
		CompletableFuture<ResponseEntity<String>> upload = upload(id, FILE);
		List<Poll> polls = new ArrayList<>();
		pollUntil(id, polls, () -> doneOnBothNodes(polls));
		assertThat(upload.join().getStatusCode().value()).isEqualTo(200);

		assertRising(polls, FILE);
		// The node that does not receive the upload reported it too, while it ran: it read it from Redis.
		assertThat(polls).filteredOn((poll) -> poll.state.equals("uploading")).extracting(Poll::node)
			.contains("n1", "n2");
		// Nothing but the upload's own states, and starting only before its first byte.
		assertThat(polls).extracting(Poll::state).isSubsetOf("starting", "uploading", "done");
		int firstProgress = firstIndex(polls, 0, "uploading", "done");
		assertThat(polls.subList(firstProgress, polls.size())).extracting(Poll::state).doesNotContain("starting");
	}

	@Test
	void redisKilledAndRestartedDuringAnUpload() throws IOException, InterruptedException {
		String id = "0123456789abcdef0123456789abc002";
		CompletableFuture<ResponseEntity<String>> upload = upload(id, LONGER_FILE);
		List<Poll> polls = new ArrayList<>();
		pollUntil(id, polls, () -> !polls.isEmpty() && polls.get(polls.size() - 1).state.equals("uploading"));

		redis.kill();
		int killed = polls.size();
		// The node receiving the upload still answers it; the other says that it cannot know.
		pollUntil(id, polls, () -> {
			List<Poll> since = polls.subList(killed, polls.size());
			return since.stream().anyMatch((poll) -> poll.state.equals("unavailable"))
					&& since.stream().anyMatch((poll) -> poll.state.equals("uploading"));
		});
		assertThat(upload).as("the upload goes on without Redis").isNotDone();
		// Health shows the store's state, and stays UP: the balancer keeps both nodes.
		for (ConfigurableApplicationContext node : nodes) {
			HttpResponse<String> health = get(managementPort(node), "/actuator/health");
			assertThat(health.statusCode()).isEqualTo(200);
			assertThat(health.body()).contains("\"upload-progress\"").contains("\"redis\":\"unavailable\"");
		}

		redis.restart();
		int restarted = polls.size();
		pollUntil(id, polls, () -> doneOnBothNodes(polls.subList(restarted, polls.size())));
		assertThat(upload.join().getStatusCode().value()).isEqualTo(200);

		assertRising(polls.subList(0, killed), null);
		assertThat(polls.subList(0, killed)).extracting(Poll::state).isSubsetOf("starting", "uploading");
		// Back by itself: after the last poll of the outage and the recovery (one that could not tell, or that
		// read an older value than an earlier poll), both nodes report the running upload again, rising to done:
		// the node that does not receive it from the emptied Redis, written again by the other.
		int recovered = killed;
		long highest = 0;
		for (int i = killed; i < polls.size(); i++) {
			Poll poll = polls.get(i);
			if (!List.of("uploading", "done").contains(poll.state) || poll.received < highest) {
				recovered = i + 1;
			}
			highest = Math.max(highest, poll.received);
		}
		assertRising(polls.subList(recovered, polls.size()), LONGER_FILE);
		assertThat(polls.subList(recovered, polls.size())).filteredOn((poll) -> poll.state.equals("uploading"))
			.as("%s", polls).extracting(Poll::node).contains("n1", "n2");
		for (ConfigurableApplicationContext node : nodes) {
			assertThat(get(managementPort(node), "/actuator/health").body()).contains("\"redis\":\"available\"");
		}
	}

	private static CompletableFuture<ResponseEntity<String>> upload(String id, byte[] file) {
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("file", new ByteArrayResource(file)).filename("upload.bin");
		// Through the balancer, as a browser would send it; read at 1 MB/s by the node that gets it.
		// The JDK client: Reactor Netty's would make the multipart boundary with SecureRandom on its event loop.
		return WebClient.builder()
			.clientConnector(new JdkClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + balancer.port())
			.build()
			.post()
			.uri("/upload?X-Progress-ID=" + id)
			.body(BodyInserters.fromMultipartData(body.build()))
			.retrieve()
			.toEntity(String.class)
			.timeout(Duration.ofSeconds(90))
			.toFuture();
	}

	private static void pollUntil(String id, List<Poll> polls, Callable<Boolean> enough) {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
			HttpResponse<String> response = get(balancer.port(), "/progress?X-Progress-ID=" + id);
			assertThat(response.statusCode()).isEqualTo(200);
			Matcher state = STATE.matcher(response.body());
			assertThat(state.find()).as(response.body()).isTrue();
			Matcher received = RECEIVED.matcher(response.body());
			polls.add(new Poll(response.headers().firstValue("X-Served-By").orElse("?"), state.group(1),
					received.find() ? Long.parseLong(received.group(1)) : -1));
			return enough.call();
		});
	}

	private static boolean doneOnBothNodes(List<Poll> polls) {
		return polls.stream().anyMatch((poll) -> poll.node.equals("n1") && poll.state.equals("done"))
				&& polls.stream().anyMatch((poll) -> poll.node.equals("n2") && poll.state.equals("done"));
	}

	/**
	 * The bytes reported never go back, whichever node answers; they end at the whole multipart body of
	 * {@code file} (unless null).
	 */
	private static void assertRising(List<Poll> polls, byte[] file) {
		long last = 0;
		for (Poll poll : polls) {
			if (poll.received >= 0) {
				assertThat(poll.received).as("%s in %s", poll, polls).isGreaterThanOrEqualTo(last);
				last = poll.received;
			}
		}
		if (file != null) {
			assertThat(last).isGreaterThan(file.length);
		}
	}

	private static int firstIndex(List<Poll> polls, int from, String... states) {
		for (int i = from; i < polls.size(); i++) {
			if (List.of(states).contains(polls.get(i).state)) {
				return i;
			}
		}
		throw new AssertionError("no poll in " + List.of(states) + " from " + from + ": " + polls);
	}

	private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private record Poll(String node, String state, long received) {

	}

}
