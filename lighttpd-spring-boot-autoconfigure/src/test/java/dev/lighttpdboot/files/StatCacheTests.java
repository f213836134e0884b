package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StatCacheTests {

	private static final Duration VALIDITY = Duration.ofSeconds(1);

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	// Misses run on the calling thread, so each lookup's outcome is known when block() returns.
	private final FileSystemScheduler fileSystem = new FileSystemScheduler(Schedulers.immediate());

	private final MockServerHttpRequest request = MockServerHttpRequest.get("/").build();

	@TempDir
	Path directory;

	private FileRoot root;

	@BeforeEach
	void openRoot() throws IOException {
		this.root = FileRoot.open(this.directory, false);
	}

	@Test
	void answersFromMemoryWithinTheValidityAndLooksUpAgainAfterIt() throws IOException {
		StatCache cache = new StatCache(this.fileSystem, VALIDITY, 100, this.nanos::get);
		Path file = Files.writeString(this.directory.resolve("a.txt"), "one");
		assertThat(lookup(cache, "/a.txt").size()).isEqualTo(3);
		Files.writeString(file, "three");
		this.nanos.addAndGet(VALIDITY.toNanos() - 1);
		assertThat(lookup(cache, "/a.txt").size()).as("stale within the window").isEqualTo(3);
		this.nanos.addAndGet(1);
		assertThat(lookup(cache, "/a.txt").size()).isEqualTo(5);
	}

	@Test
	void forgetsNothingFoundSoNewFilesAreServedAtOnce() throws IOException {
		StatCache cache = new StatCache(this.fileSystem, VALIDITY, 100, this.nanos::get);
		assertThat(lookup(cache, "/new.txt")).isNull();
		Files.writeString(this.directory.resolve("new.txt"), "new");
		assertThat(lookup(cache, "/new.txt")).isNotNull();
	}

	@Test
	void dropsARemovedFileOnceItsEntryExpired() throws IOException {
		StatCache cache = new StatCache(this.fileSystem, VALIDITY, 100, this.nanos::get);
		Path file = Files.writeString(this.directory.resolve("gone.txt"), "x");
		assertThat(lookup(cache, "/gone.txt")).isNotNull();
		Files.delete(file);
		this.nanos.addAndGet(VALIDITY.toNanos());
		assertThat(lookup(cache, "/gone.txt")).isNull();
		assertThat(cache.size()).isZero();
	}

	@Test
	void decidesRefusalsAfreshEveryTime() throws IOException {
		StatCache cache = new StatCache(this.fileSystem, VALIDITY, 100, this.nanos::get);
		Path outside = Files.createTempFile("stat-cache-outside", ".txt");
		try {
			Files.createSymbolicLink(this.directory.resolve("escape.txt"), outside);
			for (int i = 0; i < 2; i++) {
				assertThatExceptionOfType(PathRefusedException.class).isThrownBy(() -> lookup(cache, "/escape.txt"));
			}
			assertThat(cache.size()).isZero();
		}
		finally {
			Files.delete(outside);
		}
	}

	@Test
	void keepsItselfInOrderOnTheCallingThread() throws IOException {
		// No size() here: it asks for the upkeep itself. The eviction is done by the time the lookup that made it
		// due returns only if the upkeep ran on that thread, not as a task for another.
		StatCache cache = new StatCache(this.fileSystem, VALIDITY, 1, this.nanos::get);
		Files.writeString(this.directory.resolve("first.txt"), "1");
		Files.writeString(this.directory.resolve("second.txt"), "2");
		lookup(cache, "/first.txt");
		lookup(cache, "/second.txt");
		assertThat(cache.nativeCache().stats().evictionCount()).isEqualTo(1);
		assertThat(cache.nativeCache().estimatedSize()).isEqualTo(1);
	}

	@Test
	void zeroValidityLooksUpEveryRequest() throws IOException {
		StatCache cache = StatCache.disabled(this.fileSystem);
		Path file = Files.writeString(this.directory.resolve("b.txt"), "one");
		assertThat(lookup(cache, "/b.txt").size()).isEqualTo(3);
		Files.writeString(file, "three");
		assertThat(lookup(cache, "/b.txt").size()).isEqualTo(5);
		assertThat(cache.size()).isZero();
	}

	@Test
	void staysWithinItsBound() throws IOException {
		StatCache cache = new StatCache(this.fileSystem, VALIDITY, 2, this.nanos::get);
		for (String name : new String[] { "1.txt", "2.txt", "3.txt" }) {
			Files.writeString(this.directory.resolve(name), name);
			assertThat(lookup(cache, "/" + name)).isNotNull();
			assertThat(cache.size()).isLessThanOrEqualTo(2);
		}
	}

	@Test
	void rejectsANegativeValidity() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new StatCache(this.fileSystem, Duration.ofSeconds(-1), 10));
	}

	private FileSnapshot lookup(StatCache cache, String path) {
		return cache.lookup(this.request, this.root, SafePath.parse(path, HiddenFiles.REFUSED)).block();
	}

}
