package dev.lighttpdboot.files;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FileSystemScheduler#quickCall}: the quick calls an event loop makes in one turn share one hop to the
 * scheduler and one back, at most {@link FileSystemScheduler#MAX_QUICK_CALLS_PER_HOP} to a hop; each subscriber
 * gets its own result, error or emptiness on the loop; a call made off the loop takes a hop of its own; and a
 * saturated scheduler answers every call of a batch with 503 instead of leaving it waiting.
 */
class FileSystemSchedulerTests {

	private final EventLoop loop = new DefaultEventLoop();

	private final ExecutorService worker = Executors.newSingleThreadExecutor();

	private final AtomicInteger hops = new AtomicInteger();

	private final FileSystemScheduler fileSystem = new FileSystemScheduler(Schedulers.fromExecutor((task) -> {
		this.hops.incrementAndGet();
		this.worker.execute(task);
	}));

	@AfterEach
	void stop() throws InterruptedException {
		this.loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
		this.worker.shutdownNow();
		assertThat(this.worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void theQuickCallsOfOneTurnShareOneHopAndResumeOnTheLoopInOrder() throws InterruptedException {
		Results results = new Results(10);
		this.loop.execute(() -> {
			for (int i = 0; i < 10; i++) {
				int call = i;
				results.subscribe(this.fileSystem.quickCall(this.loop, () -> call));
			}
		});
		results.await();
		assertThat(this.hops).hasValue(1);
		assertThat(results.signals).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
		assertThat(results.offTheLoop).hasValue(0);
	}

	@Test
	void aHopTakesABoundedNumberOfCalls() throws InterruptedException {
		int calls = 2 * FileSystemScheduler.MAX_QUICK_CALLS_PER_HOP + 1;
		Results results = new Results(calls);
		this.loop.execute(() -> {
			for (int i = 0; i < calls; i++) {
				results.subscribe(this.fileSystem.quickCall(this.loop, () -> "x"));
			}
		});
		results.await();
		assertThat(this.hops).hasValue(3);
		assertThat(results.signals).hasSize(calls).containsOnly("x");
	}

	@Test
	void eachCallOfAHopGetsItsOwnOutcome() throws InterruptedException {
		Results results = new Results(3);
		this.loop.execute(() -> {
			results.subscribe(this.fileSystem.quickCall(this.loop, () -> "found"));
			results.subscribe(this.fileSystem.quickCall(this.loop, () -> {
				throw new IOException("gone");
			}));
			results.subscribe(this.fileSystem.quickCall(this.loop, () -> null));
		});
		results.await();
		assertThat(this.hops).hasValue(1);
		assertThat(results.signals).containsExactly("found", "error: gone", "empty");
		assertThat(results.offTheLoop).hasValue(0);
	}

	@Test
	void aCallOffTheLoopTakesAHopOfItsOwnAndResumesOnTheLoop() throws InterruptedException {
		Results results = new Results(2);
		results.subscribe(this.fileSystem.quickCall(this.loop, () -> "a"));
		results.subscribe(this.fileSystem.quickCall(this.loop, () -> "b"));
		results.await();
		assertThat(this.hops).hasValue(2);
		assertThat(results.signals).containsExactlyInAnyOrder("a", "b");
		assertThat(results.offTheLoop).hasValue(0);
	}

	@Test
	void aSaturatedSchedulerAnswersEveryCallOfTheBatch() throws InterruptedException {
		FileSystemScheduler saturated = new FileSystemScheduler(1, 1);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		try {
			// The one thread waits, and the one place in its queue is taken.
			saturated.call(() -> {
				started.countDown();
				return release.await(30, TimeUnit.SECONDS);
			}).subscribe();
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			saturated.call(() -> "queued").subscribe();
			Results results = new Results(2);
			this.loop.execute(() -> {
				results.subscribe(saturated.quickCall(this.loop, () -> "a"));
				results.subscribe(saturated.quickCall(this.loop, () -> "b"));
			});
			results.await();
			assertThat(results.signals).containsExactly("error: 503", "error: 503");
		}
		finally {
			release.countDown();
			saturated.dispose();
		}
	}

	/**
	 * What the subscribers of some calls received, as text, in the order they received it; and how many of them
	 * received it off the event loop.
	 */
	private final class Results {

		final List<String> signals = Collections.synchronizedList(new ArrayList<>());

		final AtomicInteger offTheLoop = new AtomicInteger();

		private final CountDownLatch received;

		Results(int calls) {
			this.received = new CountDownLatch(calls);
		}

		void subscribe(Mono<?> call) {
			call.map(String::valueOf)
				.defaultIfEmpty("empty")
				.subscribe(this::received, (ex) -> received("error: " + reason(ex)));
		}

		private void received(String signal) {
			if (!FileSystemSchedulerTests.this.loop.inEventLoop()) {
				this.offTheLoop.incrementAndGet();
			}
			this.signals.add(signal);
			this.received.countDown();
		}

		private String reason(Throwable ex) {
			return (ex instanceof ResponseStatusException status)
					? String.valueOf(status.getStatusCode().value()) : ex.getMessage();
		}

		void await() throws InterruptedException {
			assertThat(this.received.await(10, TimeUnit.SECONDS)).as("all calls answered").isTrue();
		}

	}

}
