package dev.lighttpdboot.gateway.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.TrackingBuffers;
import dev.lighttpdboot.test.LeakWatch;
import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ResponseBodyBufferTests {

	private static final int CHUNK = 32 * 1024;

	private static Path base;

	private static FileSystemScheduler fileSystem;

	@BeforeAll
	static void createScheduler() throws IOException {
		if (base == null) {
			base = Files.createTempDirectory("lighttpd-response-buffer-test-");
			fileSystem = new FileSystemScheduler(2, 1000);
		}
	}

	@AfterAll
	static void disposeScheduler() throws IOException {
		if (base != null) {
			fileSystem.dispose();
			FileSystemUtils.deleteRecursively(base);
			base = null;
		}
	}

	@Test
	void aSmallBodyIsReadWholeIntoMemoryBeforeTheClientAsks() throws IOException {
		Path directory = Files.createTempDirectory(base, "memory-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		Backend backend = new Backend(buffers, randomBytes(3 * 10_000), 10_000);
		Flux<DataBuffer> body = buffer(directory, backend.body(), 64 * 1024, 1024 * 1024);
		StepVerifier.create(collect(body), 0)
			.then(() -> await().atMost(Duration.ofSeconds(5)).untilTrue(backend.completed))
			.then(() -> assertThat(openFiles(directory)).as("files").isZero())
			.thenRequest(1)
			.assertNext((bytes) -> assertThat(bytes).isEqualTo(backend.bytes))
			.verifyComplete();
		buffers.assertAllReleased();
		assertThat(files(directory)).isEmpty();
	}

	@Test
	void aLargeBodySpillsToAnUnlinkedFileAndFreesTheBackendBeforeTheClientReads() throws IOException {
		Path directory = Files.createTempDirectory(base, "spill-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		Backend backend = new Backend(buffers, randomBytes(2 * 1024 * 1024 + 5), CHUNK);
		Flux<DataBuffer> body = buffer(directory, backend.body(), 64 * 1024, 1024 * 1024 * 1024);
		StepVerifier.create(collect(body), 0)
			.then(() -> await().atMost(Duration.ofSeconds(10)).untilTrue(backend.completed))
			.then(() -> {
				assertThat(openFiles(directory)).as("open temporary files").isOne();
				assertThat(files(directory)).as("names in the spool directory").isEmpty();
			})
			.thenRequest(1)
			.assertNext((bytes) -> assertThat(bytes).isEqualTo(backend.bytes))
			.verifyComplete();
		buffers.assertAllReleased();
		await().atMost(Duration.ofSeconds(5)).until(() -> openFiles(directory) == 0);
		LeakWatch.assertNoLeaks();
	}

	@Test
	void aFullFileStopsReadingTheBackendUntilTheClientCatchesUp() throws IOException {
		Path directory = Files.createTempDirectory(base, "full-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		Backend backend = new Backend(buffers, randomBytes(40 * CHUNK), CHUNK);
		// Two chunks fit in memory, eight in the file, one waits: eleven taken from the backend, no more.
		Flux<DataBuffer> body = buffer(directory, backend.body(), 2 * CHUNK, 8 * CHUNK);
		StepVerifier.create(collect(body), 0)
			.then(() -> await().during(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(10))
				.until(() -> backend.emitted.get() == 11))
			.then(() -> assertThat(backend.completed).isFalse())
			.thenRequest(1)
			.assertNext((bytes) -> assertThat(bytes).isEqualTo(backend.bytes))
			.verifyComplete();
		buffers.assertAllReleased();
		await().atMost(Duration.ofSeconds(5)).until(() -> openFiles(directory) == 0);
	}

	@Test
	void aClientThatGoesAwayMidWayCancelsTheBackendAndReleasesEverything() throws IOException {
		Path directory = Files.createTempDirectory(base, "abort-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		Backend backend = new Backend(buffers, randomBytes(200 * CHUNK), CHUNK);
		Flux<DataBuffer> body = buffer(directory, backend.body(), 2 * CHUNK, 16 * CHUNK);
		StepVerifier.create(body, 0)
			.then(() -> await().atMost(Duration.ofSeconds(10)).until(() -> openFiles(directory) == 1
					&& backend.emitted.get() == 19))
			.thenRequest(5)
			.recordWith(ArrayList::new)
			.expectNextCount(5)
			.consumeRecordedWith((taken) -> taken.forEach(DataBufferUtils::release))
			.thenCancel()
			.verify(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5)).untilTrue(backend.cancelled);
		await().atMost(Duration.ofSeconds(5)).until(() -> openFiles(directory) == 0);
		buffers.assertAllReleased();
		LeakWatch.assertNoLeaks();
	}

	@Test
	void aBackendFailureReachesTheClientAfterWhatArrivedBeforeItAndReleasesEverything() throws IOException {
		Path directory = Files.createTempDirectory(base, "broken-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		byte[] bytes = randomBytes(20 * CHUNK);
		Flux<DataBuffer> broken = Flux.range(0, 20)
			.map((i) -> buffers.buffer(bytes, i * CHUNK, CHUNK))
			.concatWith(Flux.error(BackendException.broken("connection closed", false, null)));
		// As nginx does when a backend breaks off: the client gets what arrived, then its connection is cut.
		StepVerifier.create(buffer(directory, broken, 2 * CHUNK, 1024 * 1024), 0)
			.thenRequest(Long.MAX_VALUE)
			.recordWith(ArrayList::new)
			.expectNextCount(20)
			.consumeRecordedWith((taken) -> taken.forEach(DataBufferUtils::release))
			.expectError(BackendException.class)
			.verify(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5)).until(() -> openFiles(directory) == 0);
		buffers.assertAllReleased();
	}

	@Test
	void withoutMemoryAndFileItStreams() throws IOException {
		Path directory = Files.createTempDirectory(base, "stream-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		Backend backend = new Backend(buffers, randomBytes(10 * CHUNK), CHUNK);
		StepVerifier.create(buffer(directory, backend.body(), 0, 0), 0)
			.then(() -> await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
				.until(() -> backend.emitted.get() == 1))
			.thenRequest(3)
			.recordWith(ArrayList::new)
			.expectNextCount(3)
			.consumeRecordedWith((taken) -> taken.forEach(DataBufferUtils::release))
			.thenCancel()
			.verify(Duration.ofSeconds(5));
		assertThat(backend.emitted.get()).isLessThanOrEqualTo(5);
		buffers.assertAllReleased();
		assertThat(openFiles(directory)).isZero();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases")
	void deliversEveryBodyInOrder(RandomCase random) throws IOException {
		List<byte[]> chunks = random.list(25, (r) -> r.bytes(1, 9_000));
		int inMemory = random.between(0, 20_000);
		int inFile = random.between(0, 40_000);
		int demand = random.between(1, 8);
		Path directory = Files.createTempDirectory(base, "property-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		chunks.forEach(expected::writeBytes);
		Flux<DataBuffer> body = buffer(directory, Flux.fromIterable(chunks).map(buffers::buffer), inMemory, inFile)
			.limitRate(demand);
		assertThat(collect(body).block(Duration.ofSeconds(20))).isEqualTo(expected.toByteArray());
		buffers.assertAllReleased();
		await().atMost(Duration.ofSeconds(5)).until(() -> openFiles(directory) == 0);
	}

	static Stream<RandomCase> randomCases() {
		return RandomCases.of(60);
	}

	@Test
	void theBackendChoosesWithXAccelBufferingWhichIsRemoved() {
		HttpHeaders headers = new HttpHeaders();
		headers.add(ResponseBodyBuffer.X_ACCEL_BUFFERING, "no");
		assertThat(ResponseBodyBuffer.wantsBuffering(headers, ResponseBufferPolicy.DEFAULT)).isFalse();
		assertThat(headers.containsHeader(ResponseBodyBuffer.X_ACCEL_BUFFERING)).isFalse();
		headers.add(ResponseBodyBuffer.X_ACCEL_BUFFERING, "Yes");
		assertThat(ResponseBodyBuffer.wantsBuffering(headers, ResponseBufferPolicy.STREAMING)).isTrue();
		assertThat(headers.containsHeader(ResponseBodyBuffer.X_ACCEL_BUFFERING)).isFalse();
	}

	@Test
	void eventStreamsStreamAndOtherResponsesFollowTheRoute() {
		HttpHeaders events = new HttpHeaders();
		events.setContentType(MediaType.parseMediaType("text/event-stream;charset=UTF-8"));
		assertThat(ResponseBodyBuffer.wantsBuffering(events, ResponseBufferPolicy.DEFAULT)).isFalse();
		HttpHeaders html = new HttpHeaders();
		html.setContentType(MediaType.TEXT_HTML);
		assertThat(ResponseBodyBuffer.wantsBuffering(html, ResponseBufferPolicy.DEFAULT)).isTrue();
		assertThat(ResponseBodyBuffer.wantsBuffering(html, ResponseBufferPolicy.STREAMING)).isFalse();
		assertThat(ResponseBodyBuffer.wantsBuffering(new HttpHeaders(), ResponseBufferPolicy.DEFAULT)).isTrue();
	}

	private static Flux<DataBuffer> buffer(Path directory, Flux<DataBuffer> body, long inMemory, long inFile) {
		return new ResponseBodyBuffer(fileSystem, directory).buffer(body, new ResponseBufferPolicy(true, inMemory, inFile),
				TrackingBuffers.netty().factory());
	}

	private static Mono<byte[]> collect(Flux<DataBuffer> body) {
		return body.reduce(new ByteArrayOutputStream(), (out, buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			out.writeBytes(bytes);
			return out;
		}).map(ByteArrayOutputStream::toByteArray).defaultIfEmpty(new byte[0]);
	}

	/** Descriptors of this JVM open on files of the directory, deleted or not. */
	private static long openFiles(Path directory) {
		long count = 0;
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
			for (Path fd : fds) {
				try {
					if (Files.readSymbolicLink(fd).toString().startsWith(directory.toString() + "/")) {
						count++;
					}
				}
				catch (IOException ex) {
					// Closed meanwhile (the stream's own descriptor, say).
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return count;
	}

	private static List<Path> files(Path directory) {
		try (var stream = Files.list(directory)) {
			return stream.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

	/** A backend body that counts what it handed out and tells when it completed or was cancelled. */
	private static final class Backend {

		final byte[] bytes;

		final AtomicInteger emitted = new AtomicInteger();

		final AtomicBoolean completed = new AtomicBoolean();

		final AtomicBoolean cancelled = new AtomicBoolean();

		private final TrackingBuffers buffers;

		private final int chunk;

		Backend(TrackingBuffers buffers, byte[] bytes, int chunk) {
			this.buffers = buffers;
			this.bytes = bytes;
			this.chunk = chunk;
		}

		Flux<DataBuffer> body() {
			int count = (this.bytes.length + this.chunk - 1) / this.chunk;
			return Flux.range(0, count)
				.map((i) -> this.buffers.buffer(this.bytes, i * this.chunk,
						Math.min(this.chunk, this.bytes.length - i * this.chunk)))
				.doOnNext((buffer) -> this.emitted.incrementAndGet())
				.doOnComplete(() -> this.completed.set(true))
				.doOnCancel(() -> this.cancelled.set(true));
		}

	}

}
