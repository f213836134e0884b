package dev.lighttpdboot.compression;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.lighttpdboot.files.FileSystemScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class CompressedFileCacheTests {

	final FileSystemScheduler fileSystem = new FileSystemScheduler(2, 16);

	@TempDir
	Path temp;

	@AfterEach
	void dispose() {
		this.fileSystem.dispose();
	}

	static CompressedFileCache.Producer writing(int size) {
		return (target) -> {
			Files.write(target, new byte[size]);
			return true;
		};
	}

	@Test
	void ownDirectoryIsPrivateAndRemovedOnClose() throws IOException {
		CompressedFileCache cache = CompressedFileCache.open(null, 1000, this.fileSystem);
		Path directory = cache.directory();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
		cache.get("k", "gz", writing(10)).block();
		cache.close();
		assertThat(directory).doesNotExist();
	}

	@Test
	void configuredDirectoryIsCreatedPrivateAndSymlinksAreRefused() throws IOException {
		Path configured = this.temp.resolve("a/cache");
		CompressedFileCache cache = CompressedFileCache.open(configured, 1000, this.fileSystem);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configured))).isEqualTo("rwx------");
		cache.close();
		assertThat(configured).exists();
		Path link = Files.createSymbolicLink(this.temp.resolve("link"), configured);
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> CompressedFileCache.open(link, 1000, this.fileSystem));
	}

	@Test
	void entriesAreFoundAgainAndTheLeastRecentlyUsedAreEvicted() throws IOException {
		CompressedFileCache cache = CompressedFileCache.open(this.temp.resolve("c"), 250, this.fileSystem);
		CompressedFileCache.Entry a = cache.get("a", "gz", writing(100)).block();
		CompressedFileCache.Entry b = cache.get("b", "gz", writing(100)).block();
		assertThat(cache.find("a", "gz")).isEqualTo(a);
		cache.get("c", "gz", writing(100)).block();
		assertThat(cache.find("b", "gz")).isNull();
		assertThat(b.path()).doesNotExist();
		assertThat(cache.find("a", "gz")).isNotNull();
		assertThat(cache.totalBytes()).isEqualTo(200);
		assertThat(cache.size()).isEqualTo(2);
		try (var files = Files.list(cache.directory())) {
			assertThat(files.filter((file) -> file.getFileName().toString().startsWith(".tmp-"))).isEmpty();
		}
	}

	@Test
	void aProducerThatSeesItsSourceChangeLeavesNothing() throws IOException {
		CompressedFileCache cache = CompressedFileCache.open(this.temp.resolve("c"), 1000, this.fileSystem);
		assertThat(cache.get("a", "gz", (target) -> {
			Files.write(target, new byte[10]);
			return false;
		}).block()).isNull();
		assertThat(cache.find("a", "gz")).isNull();
		try (var files = Files.list(cache.directory())) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void concurrentRequestsShareOneProduction() throws Exception {
		CompressedFileCache cache = CompressedFileCache.open(this.temp.resolve("c"), 1000, this.fileSystem);
		AtomicInteger productions = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		CompressedFileCache.Producer slow = (target) -> {
			productions.incrementAndGet();
			try {
				release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			Files.write(target, new byte[5]);
			return true;
		};
		Mono<CompressedFileCache.Entry> first = cache.get("x", "br", slow);
		Mono<CompressedFileCache.Entry> second = cache.get("x", "br", slow);
		first.subscribe();
		second.subscribe();
		release.countDown();
		assertThat(first.block()).isEqualTo(second.block());
		assertThat(productions).hasValue(1);
	}

	@Test
	void reopenedDirectoryKeepsItsEntriesAndDropsPartialFiles() throws IOException {
		Path directory = this.temp.resolve("c");
		CompressedFileCache cache = CompressedFileCache.open(directory, 1000, this.fileSystem);
		CompressedFileCache.Entry kept = cache.get("a", "gz", writing(10)).block();
		Files.write(directory.resolve(".tmp-123.part"), new byte[3]);
		CompressedFileCache reopened = CompressedFileCache.open(directory, 1000, this.fileSystem);
		assertThat(reopened.find("a", "gz")).isEqualTo(kept);
		assertThat(directory.resolve(".tmp-123.part")).doesNotExist();
	}

}
