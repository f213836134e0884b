package dev.lighttpdboot.gateway.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.gateway.TrackingBuffers;
import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RequestBodySpoolTests {

	private static Path base;

	private static FileSystemScheduler fileSystem;

	@BeforeAll
	static void createScheduler() throws IOException {
		if (base == null) {
			base = Files.createTempDirectory("lighttpd-spool-test-");
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

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases")
	void roundTripsAnyBody(RandomCase random) throws IOException {
		List<byte[]> chunks = random.list(12, (r) -> r.bytes(0, 9000));
		int threshold = random.between(0, 20_000);
		boolean netty = random.random().nextBoolean();
		Path directory = Files.createTempDirectory(base, "spool-");
		TrackingBuffers buffers = TrackingBuffers.of(netty);
		byte[] expected = concat(chunks);
		SpooledBody body = new RequestBodySpool(fileSystem, directory)
			.spool(Flux.fromIterable(chunks).map(buffers::buffer), 1_000_000, threshold)
			.block();
		buffers.assertAllReleased();
		assertThat(body.length()).isEqualTo(expected.length);
		assertThat(body.file().isPresent()).isEqualTo(expected.length > threshold);
		assertThat(read(body, buffers)).isEqualTo(expected);
		assertThat(read(body, buffers)).as("second read").isEqualTo(expected);
		body.release();
		body.release();
		// Released on a thread that may block: the file is gone at once.
		assertThat(filesIn(directory)).isEmpty();
		if (expected.length == 0) {
			assertThat(body).isSameAs(SpooledBody.EMPTY);
		}
	}

	static Stream<RandomCase> randomCases() {
		return RandomCases.of(150);
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void keepsUpToTheThresholdInMemory(boolean netty) {
		TrackingBuffers buffers = TrackingBuffers.of(netty);
		List<byte[]> fits = List.of(bytes(60), bytes(40));
		SpooledBody atThreshold = spool(buffers, fits, 1000, 100).block();
		assertThat(atThreshold.file()).isEmpty();
		assertThat(read(atThreshold, buffers)).isEqualTo(concat(fits));
		List<byte[]> overflows = List.of(bytes(60), bytes(41));
		SpooledBody beyond = spool(buffers, overflows, 1000, 100).block();
		assertThat(beyond.file()).isPresent();
		assertThat(beyond.file().get()).exists();
		assertThat(read(beyond, buffers)).isEqualTo(concat(overflows));
		beyond.release();
		assertThat(beyond.file().get()).doesNotExist();
		buffers.assertAllReleased();
	}

	@Test
	void emptyBodyIsTheSharedConstant() {
		StepVerifier.create(spool(TrackingBuffers.netty(), List.of(), 10, 10)).expectNext(SpooledBody.EMPTY)
			.verifyComplete();
		SpooledBody.EMPTY.release();
		StepVerifier.create(SpooledBody.EMPTY.content(TrackingBuffers.plain().factory())).verifyComplete();
	}

	@Test
	void acceptsExactlyTheMaximum() {
		TrackingBuffers buffers = TrackingBuffers.netty();
		SpooledBody body = spool(buffers, List.of(bytes(500), bytes(500)), 1000, 10).block();
		assertThat(body.length()).isEqualTo(1000);
		body.release();
		buffers.assertAllReleased();
	}

	@ParameterizedTest(name = "threshold {0}")
	@ValueSource(ints = { 0, 100, 10_000 })
	void refusesOneByteMoreThanTheMaximumAtOnce(int threshold) throws IOException {
		TrackingBuffers buffers = TrackingBuffers.netty();
		Path directory = Files.createTempDirectory(base, "spool-");
		AtomicBoolean cancelled = new AtomicBoolean();
		AtomicLong emitted = new AtomicLong();
		// An endless body: only the limit can end it.
		Flux<DataBuffer> body = Flux.<DataBuffer>generate((sink) -> sink.next(buffers.buffer(bytes(300))))
			.doOnNext((buffer) -> emitted.incrementAndGet())
			.doOnCancel(() -> cancelled.set(true));
		StepVerifier.create(new RequestBodySpool(fileSystem, directory).spool(body, 1000, threshold))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(PayloadTooLargeException.class)
				.satisfies((tooLarge) -> assertThat(((PayloadTooLargeException) tooLarge).getStatusCode().value())
					.isEqualTo(413)))
			.verify();
		assertThat(cancelled).isTrue();
		assertThat(emitted).hasValue(4);
		await().untilAsserted(() -> assertThat(filesIn(directory)).isEmpty());
		buffers.assertAllReleased();
	}

	@Test
	void bodyErrorDropsTheFile() throws IOException {
		TrackingBuffers buffers = TrackingBuffers.netty();
		Path directory = Files.createTempDirectory(base, "spool-");
		Flux<DataBuffer> body = Flux.concat(Flux.just(bytes(100), bytes(100)).map(buffers::buffer),
				Flux.error(new IOException("connection reset")));
		StepVerifier.create(new RequestBodySpool(fileSystem, directory).spool(body, 1000, 10))
			.expectErrorMessage("connection reset")
			.verify();
		await().untilAsserted(() -> assertThat(filesIn(directory)).isEmpty());
		buffers.assertAllReleased();
	}

	@Test
	void cancellingDropsTheFileAndStopsReading() throws IOException {
		TrackingBuffers buffers = TrackingBuffers.netty();
		Path directory = Files.createTempDirectory(base, "spool-");
		AtomicBoolean cancelled = new AtomicBoolean();
		Flux<DataBuffer> body = Flux.concat(Flux.just(bytes(100), bytes(100)).map(buffers::buffer), Flux.never())
			.doOnCancel(() -> cancelled.set(true));
		StepVerifier.create(new RequestBodySpool(fileSystem, directory).spool(body, 1000, 10))
			.then(() -> await().untilAsserted(() -> assertThat(filesIn(directory)).hasSize(1)))
			.thenCancel()
			.verify();
		assertThat(cancelled).isTrue();
		await().untilAsserted(() -> assertThat(filesIn(directory)).isEmpty());
		await().untilAsserted(buffers::assertAllReleased);
	}

	@Test
	void requestsNoMoreWhileAWriteIsPending() throws IOException {
		ManualExecutor executor = new ManualExecutor();
		FileSystemScheduler manual = new FileSystemScheduler(Schedulers.fromExecutorService(executor));
		Path directory = Files.createTempDirectory(base, "spool-");
		TrackingBuffers buffers = TrackingBuffers.netty();
		AtomicLong requested = new AtomicLong();
		AtomicLong emitted = new AtomicLong();
		Flux<DataBuffer> body = Flux.range(0, 5)
			.map((i) -> buffers.buffer(bytes(50)))
			.doOnRequest(requested::addAndGet)
			.doOnNext((buffer) -> emitted.incrementAndGet());
		try {
			StepVerifier.create(new RequestBodySpool(manual, directory).spool(body, 1000, 60))
				.then(() -> {
					// The first buffer fits in memory; the second must go to the file, and waits for the write.
					assertThat(emitted).hasValue(2);
					assertThat(requested).hasValue(2);
					for (int write = 0; write < 4; write++) {
						assertThat(executor.runNext()).isTrue();
						assertThat(requested.get()).isEqualTo(emitted.get());
					}
				})
				.assertNext((spooled) -> {
					assertThat(spooled.length()).isEqualTo(250);
					StepVerifier.create(DataBufferUtils.join(spooled.content(buffers.factory())))
						.then(executor::runAll)
						.assertNext((joined) -> {
							assertThat(joined.readableByteCount()).isEqualTo(250);
							DataBufferUtils.release(joined);
						})
						.verifyComplete();
					spooled.release();
				})
				.verifyComplete();
			buffers.assertAllReleased();
		}
		finally {
			manual.dispose();
		}
	}

	@Test
	void neverTouchesTheFileSystemOnNonBlockingThreads() throws IOException {
		TrackingBuffers buffers = TrackingBuffers.netty();
		Path directory = Files.createTempDirectory(base, "spool-");
		List<byte[]> chunks = Stream.generate(() -> bytes(10_000)).limit(20).toList();
		// Buffers arrive on a non-blocking thread, as from an event loop; BlockHound fails any file call there.
		Flux<DataBuffer> body = Flux.fromIterable(chunks).map(buffers::buffer).publishOn(Schedulers.parallel(), 1);
		SpooledBody spooled = new RequestBodySpool(fileSystem, directory).spool(body, 1_000_000, 50_000)
			.subscribeOn(Schedulers.parallel())
			.block();
		assertThat(spooled.file()).isPresent();
		byte[] read = DataBufferUtils.join(spooled.content(buffers.factory()).subscribeOn(Schedulers.parallel()))
			.map(RequestBodySpoolTests::drain)
			.block();
		assertThat(read).isEqualTo(concat(chunks));
		Mono.fromRunnable(spooled::release).subscribeOn(Schedulers.parallel()).block();
		await().untilAsserted(() -> assertThat(filesIn(directory)).isEmpty());
		buffers.assertAllReleased();
	}

	@Test
	void contentCanBeReadTwiceAtOnce() {
		TrackingBuffers buffers = TrackingBuffers.netty();
		List<byte[]> chunks = Stream.generate(() -> bytes(70_000)).limit(3).toList();
		SpooledBody spooled = spool(buffers, chunks, 1_000_000, 1000).block();
		Mono<byte[]> once = DataBufferUtils.join(spooled.content(buffers.factory())).map(RequestBodySpoolTests::drain);
		StepVerifier.create(Mono.zip(once, once))
			.assertNext((both) -> {
				assertThat(both.getT1()).isEqualTo(concat(chunks));
				assertThat(both.getT2()).isEqualTo(concat(chunks));
			})
			.verifyComplete();
		spooled.release();
	}

	@Test
	void readsFilesInChunksOf64KiB() {
		TrackingBuffers buffers = TrackingBuffers.netty();
		SpooledBody spooled = spool(buffers, List.of(bytes(150_000)), 1_000_000, 1000).block();
		StepVerifier.create(spooled.content(buffers.factory()).map((buffer) -> {
			int count = buffer.readableByteCount();
			DataBufferUtils.release(buffer);
			return count;
		})).expectNext(65536, 65536, 150_000 - 131_072).verifyComplete();
		spooled.release();
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void contentFailsAfterRelease(boolean inFile) {
		TrackingBuffers buffers = TrackingBuffers.netty();
		SpooledBody spooled = spool(buffers, List.of(bytes(100)), 1000, inFile ? 10 : 1000).block();
		spooled.release();
		StepVerifier.create(spooled.content(buffers.factory())).expectError(IllegalStateException.class).verify();
	}

	@Test
	void createsAMissingTempDirectory() throws IOException {
		Path directory = base.resolve("missing-" + System.nanoTime()).resolve("deeper");
		TrackingBuffers buffers = TrackingBuffers.netty();
		SpooledBody spooled = new RequestBodySpool(fileSystem, directory)
			.spool(Flux.just(bytes(100)).map(buffers::buffer), 1000, 10)
			.block();
		assertThat(spooled.file().get().getParent()).isEqualTo(directory);
		spooled.release();
		assertThat(filesIn(directory)).isEmpty();
	}

	private static Mono<SpooledBody> spool(TrackingBuffers buffers, List<byte[]> chunks, long maxSize, long threshold) {
		return new RequestBodySpool(fileSystem, base).spool(Flux.fromIterable(chunks).map(buffers::buffer), maxSize,
				threshold);
	}

	private static byte[] read(SpooledBody body, TrackingBuffers buffers) {
		return DataBufferUtils.join(body.content(buffers.factory()))
			.map(RequestBodySpoolTests::drain)
			.defaultIfEmpty(new byte[0])
			.block();
	}

	private static byte[] drain(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return bytes;
	}

	private static final Random random = new Random(42);

	private static byte[] bytes(int count) {
		byte[] bytes = new byte[count];
		synchronized (random) {
			random.nextBytes(bytes);
		}
		return bytes;
	}

	private static byte[] concat(List<byte[]> chunks) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		chunks.forEach(out::writeBytes);
		return out.toByteArray();
	}

	private static List<Path> filesIn(Path directory) throws IOException {
		if (!Files.exists(directory)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(directory)) {
			return files.filter(Files::isRegularFile).toList();
		}
	}

	/**
	 * Runs submitted tasks only when the test says so, to observe what happens while a write is pending.
	 */
	private static final class ManualExecutor extends AbstractExecutorService {

		private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

		private volatile boolean shutdown;

		/** Run the oldest task; tell whether there was one. */
		boolean runNext() {
			Runnable task = this.tasks.poll();
			if (task != null) {
				task.run();
			}
			return task != null;
		}

		/** Run tasks, including those they submit, until none is left. */
		void runAll() {
			boolean ran;
			do {
				ran = runNext();
			}
			while (ran);
		}

		@Override
		public void execute(Runnable command) {
			this.tasks.add(command);
		}

		@Override
		public void shutdown() {
			this.shutdown = true;
		}

		@Override
		public List<Runnable> shutdownNow() {
			this.shutdown = true;
			List<Runnable> pending = new ArrayList<>(this.tasks);
			this.tasks.clear();
			return pending;
		}

		@Override
		public boolean isShutdown() {
			return this.shutdown;
		}

		@Override
		public boolean isTerminated() {
			return this.shutdown;
		}

		@Override
		public boolean awaitTermination(long timeout, TimeUnit unit) {
			return true;
		}

	}

}
