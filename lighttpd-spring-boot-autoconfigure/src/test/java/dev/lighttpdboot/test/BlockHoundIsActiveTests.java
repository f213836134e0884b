package dev.lighttpdboot.test;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Guards the guard: the BlockHound set-up of these tests must reject file-system calls on non-blocking threads,
 * else the integration tests would prove nothing about the event loop.
 */
class BlockHoundIsActiveTests {

	@Test
	void statOnANonBlockingThreadFails() {
		Mono<Long> stat = Mono.fromCallable(() -> Files.size(Path.of("pom.xml"))).subscribeOn(Schedulers.parallel());
		StepVerifier.create(stat).expectError(BlockingOperationError.class).verify();
	}

	@Test
	void realPathOnANonBlockingThreadFails() {
		Mono<Path> realPath = Mono.fromCallable(() -> Path.of(".").toRealPath()).subscribeOn(Schedulers.parallel());
		StepVerifier.create(realPath).expectError(BlockingOperationError.class).verify();
	}

	@Test
	void statOnTheFileSystemSchedulerIsFine() {
		dev.lighttpdboot.files.FileSystemScheduler scheduler = new dev.lighttpdboot.files.FileSystemScheduler(1, 10);
		try {
			StepVerifier.create(scheduler.call(() -> Files.size(Path.of("pom.xml")))).expectNextCount(1)
				.verifyComplete();
		}
		finally {
			scheduler.dispose();
		}
	}

}
