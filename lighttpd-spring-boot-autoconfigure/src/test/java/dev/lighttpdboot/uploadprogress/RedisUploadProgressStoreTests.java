package dev.lighttpdboot.uploadprogress;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.test.peers.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis store against a real redis-server: writes at a bounded rate, the end always written, expiry by Redis's
 * TTL, another node reading the upload, and Redis killed, restarted or made slow while uploads go on.
 */
class RedisUploadProgressStoreTests {

	private static final String PREFIX = "test:progress:";

	@RegisterExtension
	final RedisServer redisServer = new RedisServer();

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private RedisCommands<String, String> redis;

	@BeforeEach
	void connect() {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", this.redisServer.port()));
		StatefulRedisConnection<String, String> connection = client.connect();
		this.closeables.add(client::shutdown);
		this.closeables.add(connection::close);
		this.redis = connection.sync();
	}

	@AfterEach
	void close() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
	}

	/** A store on its own connection factory, as each node has its own. */
	private RedisUploadProgressStore node(Duration retention, Duration publishInterval, Duration timeout,
			boolean tick) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.redisServer.port()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(5)).build());
		factory.afterPropertiesSet();
		factory.start();
		this.closeables.add(factory::destroy);
		RedisUploadProgressStore store = tick
				? new RedisUploadProgressStore(new ReactiveStringRedisTemplate(factory), PREFIX, retention, 100,
						publishInterval, timeout)
				: new RedisUploadProgressStore(new ReactiveStringRedisTemplate(factory), PREFIX, retention, 100,
						publishInterval, timeout, this.now::get, false);
		this.closeables.add(store);
		// Connected in the background; until then, nothing is written.
		await().atMost(Duration.ofSeconds(20)).until(store::isAvailable);
		return store;
	}

	private long setCalls() {
		String stats = this.redis.info("commandstats");
		for (String line : stats.split("\r\n")) {
			if (line.startsWith("cmdstat_set:")) {
				return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
			}
		}
		return 0;
	}

	/** Run on a Reactor parallel thread, where BlockHound fails any blocking call, as on Netty's event loop. */
	private static void onEventLoopLikeThread(Runnable writes) {
		Mono.fromRunnable(writes).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(30));
	}

	@Test
	void twoHundredReadsInOneSecondMakeAtMostFiveWritesAndTheEndIsWrittenWithItsTtl() {
		RedisUploadProgressStore store = node(Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(2),
				false);
		long before = setCalls();
		onEventLoopLikeThread(() -> store.start("a", 1000 * 1000));
		for (int read = 1; read <= 200; read++) {
			long received = read * 5000L;
			this.now.addAndGet(Duration.ofMillis(5).toNanos());
			onEventLoopLikeThread(() -> store.update("a", received));
			// Each write lands before the next read: only the interval may hold writes back, not a write in flight.
			await().atMost(Duration.ofSeconds(10)).until(() -> !store.writing());
		}
		long writes = setCalls() - before;
		assertThat(writes).isBetween(1L, 5L);
		onEventLoopLikeThread(() -> store.done("a", 1000 * 1000));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.redis.get(PREFIX + "a")).isEqualTo("done 1000000 1000000 0"));
		assertThat(this.redis.pttl(PREFIX + "a")).isBetween(1L, 60_000L);
	}

	@Test
	void aThrottledLastUpdateIsWrittenByTheNextTickAndAThrottledEndAtOnce() {
		RedisUploadProgressStore store = node(Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(2),
				false);
		onEventLoopLikeThread(() -> {
			store.start("a", 100);
			store.update("a", 10);
		});
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.redis.get(PREFIX + "a")).isEqualTo("uploading 10 100 0"));
		// Within the interval: not written...
		this.now.addAndGet(Duration.ofMillis(10).toNanos());
		onEventLoopLikeThread(() -> store.update("a", 20));
		assertThat(this.redis.get(PREFIX + "a")).isEqualTo("uploading 10 100 0");
		// ...until the interval is over and the timer looks, though no read came since.
		this.now.addAndGet(Duration.ofMillis(250).toNanos());
		store.tick();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.redis.get(PREFIX + "a")).isEqualTo("uploading 20 100 0"));
		// An update throttled right before the end: the end is written anyway, without waiting for a tick.
		this.now.addAndGet(Duration.ofMillis(1).toNanos());
		onEventLoopLikeThread(() -> {
			store.update("a", 90);
			store.failed("a", 90, 413);
		});
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.redis.get(PREFIX + "a")).isEqualTo("error 90 100 413"));
	}

	@Test
	void anotherNodeReadsTheUploadAndRedisForgetsItAfterTheRetention() {
		RedisUploadProgressStore receiving = node(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(2),
				true);
		RedisUploadProgressStore other = node(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(2),
				true);
		assertThat(other.find("a").block()).isEqualTo(UploadProgress.STARTING);
		onEventLoopLikeThread(() -> {
			receiving.start("a", 100);
			receiving.update("a", 30);
		});
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(other.find("a").block())
			.isEqualTo(new UploadProgress(UploadState.UPLOADING, 30, 100, 0)));
		onEventLoopLikeThread(() -> receiving.done("a", 100));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(other.find("a").block())
			.isEqualTo(new UploadProgress(UploadState.DONE, 100, 100, 0)));
		// Redis's own TTL removes it: no node has to.
		assertThat(this.redis.pttl(PREFIX + "a")).isBetween(1L, 1000L);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.redis.exists(PREFIX + "a") == 0);
		assertThat(other.find("a").block()).isEqualTo(UploadProgress.STARTING);
	}

	@Test
	void redisKilledAndRestartedDuringAnUpload() {
		RedisUploadProgressStore receiving = node(Duration.ofSeconds(60), Duration.ofMillis(50),
				Duration.ofMillis(500), true);
		RedisUploadProgressStore other = node(Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofMillis(500),
				true);
		onEventLoopLikeThread(() -> {
			receiving.start("a", 1000);
			receiving.update("a", 100);
		});
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(other.find("a").block().received())
			.isEqualTo(100));

		this.redisServer.kill();
		// The upload goes on, on a thread that must not block.
		onEventLoopLikeThread(() -> receiving.update("a", 200));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			onEventLoopLikeThread(() -> receiving.update("a", 300));
			assertThat(receiving.isAvailable()).isFalse();
		});
		// The receiving node answers from what it has; the other says it cannot know.
		assertThat(receiving.find("a").block(Duration.ofSeconds(1)))
			.isEqualTo(new UploadProgress(UploadState.UPLOADING, 300, 1000, 0));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(other.find("a").block()).isEqualTo(UploadProgress.UNAVAILABLE));
		assertThat(other.status().block().details()).containsEntry("redis", "unavailable");
		assertThat(other.status().block().available()).isFalse();

		this.redisServer.restart();
		// Back by itself; the restarted Redis, empty, learns the upload again from the node that receives it.
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(other.find("a").block())
			.isEqualTo(new UploadProgress(UploadState.UPLOADING, 300, 1000, 0)));
		onEventLoopLikeThread(() -> receiving.done("a", 1000));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(other.find("a").block())
			.isEqualTo(new UploadProgress(UploadState.DONE, 1000, 1000, 0)));
		assertThat(receiving.status().block().available()).isTrue();
	}

	@Test
	void aSlowRedisNeitherSlowsTheUploadNorThePolls() throws IOException {
		RedisUploadProgressStore receiving = node(Duration.ofSeconds(60), Duration.ofMillis(50),
				Duration.ofMillis(300), true);
		onEventLoopLikeThread(() -> receiving.start("a", 1000));
		// Redis answers nothing for three seconds (an inline command on a connection of its own).
		Socket sleeper = new Socket(InetAddress.getLoopbackAddress(), this.redisServer.port());
		this.closeables.add(sleeper);
		sleeper.getOutputStream().write("DEBUG SLEEP 3\r\n".getBytes(StandardCharsets.US_ASCII));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			onEventLoopLikeThread(() -> receiving.update("a", 500));
			assertThat(receiving.isAvailable()).isFalse();
		});
		long asked = System.nanoTime();
		assertThat(receiving.find("a").block(Duration.ofSeconds(1)))
			.isEqualTo(new UploadProgress(UploadState.UPLOADING, 500, 1000, 0));
		// Answered from the node, not after a command's timeout.
		assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofMillis(300));
		onEventLoopLikeThread(() -> receiving.done("a", 1000));
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(this.redis.get(PREFIX + "a")).isEqualTo("done 1000 1000 0"));
		assertThat(receiving.isAvailable()).isTrue();
	}

	@Test
	void valuesRoundTrip() {
		UploadProgress progress = new UploadProgress(UploadState.ERROR, 5, -1, 499);
		assertThat(RedisUploadProgressStore.decode(RedisUploadProgressStore.encode(progress))).isEqualTo(progress);
		assertThat(RedisUploadProgressStore.decode("something else")).isEqualTo(UploadProgress.STARTING);
	}

}
