package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.test.LeakWatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SmallFileCache} on its own: identity checks, both bounds, and buffers released when dropped.
 */
class SmallFileCacheTests {

	@TempDir
	Path root;

	@AfterAll
	static void noBufferLeaked() {
		LeakWatch.assertNoLeaks();
	}

	@Test
	void keepsBytesUnderTheIdentityOfTheOpenFile() throws IOException {
		SmallFileCache cache = new SmallFileCache(100, 1000);
		FileSnapshot file = write("a.txt", "hello");
		assertThat(find(cache, file)).isNull();
		release(load(cache, file));
		ByteBuf kept = find(cache, file);
		assertThat(kept.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
		kept.release();
		assertThat(cache.counts().hits()).isEqualTo(1);
		assertThat(cache.counts().misses()).isEqualTo(1);
		Files.delete(file.path());
		assertThat(find(cache, file)).isNull();
		Files.writeString(file.path(), "hello");
		// Touched: another file as far as the cache knows, whatever snapshot the caller still has.
		FileSnapshot recreated = FileSnapshot.stat(file.path());
		release(load(cache, recreated));
		Files.setLastModifiedTime(file.path(), FileTime.fromMillis(recreated.lastModified().toEpochMilli() + 5000));
		assertThat(find(cache, recreated)).isNull();
		cache.dispose();
	}

	@Test
	void answersWithTheValidatorsOfTheSnapshotAsked() throws IOException {
		SmallFileCache cache = new SmallFileCache(100, 1000);
		FileSnapshot file = write("app.js.gz", "gzipped");
		release(load(cache, file));
		// The same file sent as a representation of another (a precompressed sibling) carries that one's tag.
		SmallFileCache.Kept kept = cache.find(file.withEtag("\"sibling-gzip\""));
		assertThat(kept.snapshot().etag()).isEqualTo("\"sibling-gzip\"");
		kept.bytes().release();
		SmallFileCache.Kept itself = cache.find(file);
		assertThat(itself.snapshot()).isEqualTo(file);
		itself.bytes().release();
		cache.dispose();
	}

	@Test
	void acceptsOnlySmallFilesWithAnIdentity() throws IOException {
		SmallFileCache cache = new SmallFileCache(5, 1000);
		assertThat(cache.accepts(write("five.txt", "12345"))).isTrue();
		assertThat(cache.accepts(write("six.txt", "123456"))).isFalse();
		assertThat(cache.accepts(write("empty.txt", ""))).isFalse();
		FileSnapshot own = write("own.txt", "123");
		assertThat(cache.accepts(new FileSnapshot(own.path(), own.size(), own.lastModified(), false, own.etag())))
			.isFalse();
		assertThat(SmallFileCache.disabled().accepts(own)).isFalse();
		// The total bounds the file size too.
		assertThat(new SmallFileCache(100, 2).accepts(own)).isFalse();
	}

	@Test
	void evictionUnderTheTotalBoundReleasesTheDroppedBuffers() throws IOException {
		SmallFileCache cache = new SmallFileCache(40, 100);
		FileSnapshot first = write("1.bin", "1".repeat(40));
		FileSnapshot second = write("2.bin", "2".repeat(40));
		FileSnapshot third = write("3.bin", "3".repeat(40));
		ByteBuf firstBytes = load(cache, first);
		// A response still writing the first file holds its own reference.
		ByteBuf inFlight = find(cache, first);
		release(firstBytes);
		release(load(cache, second));
		ByteBuf secondBytes = find(cache, second);
		release(secondBytes);
		release(load(cache, third));
		assertThat(cache.size()).isEqualTo(80);
		assertThat(cache.entries()).isEqualTo(2);
		assertThat(cache.counts().evictions()).isEqualTo(1);
		assertThat(find(cache, first)).isNull();
		// Dropped, but the response's reference keeps the memory until it is written.
		assertThat(inFlight.refCnt()).isEqualTo(1);
		assertThat(inFlight.toString(StandardCharsets.US_ASCII)).isEqualTo("1".repeat(40));
		inFlight.release();
		assertThat(inFlight.refCnt()).isZero();
		ByteBuf third3 = find(cache, third);
		cache.dispose();
		assertThat(secondBytes.refCnt()).isZero();
		assertThat(third3.refCnt()).isEqualTo(1);
		third3.release();
		assertThat(third3.refCnt()).isZero();
		assertThat(cache.size()).isZero();
		assertThat(cache.entries()).isZero();
	}

	@Test
	void aFileReadSinceTheHandPassedGetsASecondChance() throws IOException {
		SmallFileCache cache = new SmallFileCache(40, 100);
		FileSnapshot hot = write("hot.bin", "h".repeat(40));
		FileSnapshot cold = write("cold.bin", "c".repeat(40));
		release(load(cache, hot));
		release(load(cache, cold));
		release(find(cache, hot));
		release(load(cache, write("new.bin", "n".repeat(40))));
		assertThat(find(cache, cold)).isNull();
		ByteBuf stillThere = find(cache, hot);
		assertThat(stillThere).isNotNull();
		stillThere.release();
		cache.dispose();
	}

	@Test
	void aNewVersionReplacesAndReleasesTheOld() throws IOException {
		SmallFileCache cache = new SmallFileCache(40, 100);
		FileSnapshot before = write("v.txt", "one");
		ByteBuf old = load(cache, before);
		Path fresh = this.root.resolve("v.new");
		Files.writeString(fresh, "two");
		Files.move(fresh, before.path(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		FileSnapshot after = FileSnapshot.stat(before.path());
		assertThat(find(cache, after)).isNull();
		// A snapshot taken before the replacement finds nothing either: the file there now decides.
		assertThat(find(cache, before)).isNull();
		release(load(cache, after));
		assertThat(old.refCnt()).isEqualTo(1);
		old.release();
		assertThat(old.refCnt()).isZero();
		assertThat(cache.size()).isEqualTo(3);
		ByteBuf now = find(cache, after);
		assertThat(now.toString(StandardCharsets.US_ASCII)).isEqualTo("two");
		now.release();
		cache.dispose();
	}

	@Test
	void aCheckServesTheRequestsThatAskedBeforeItBegan() throws IOException {
		// The clock reads 101, 102 and so on, once for each lstat the cache begins.
		AtomicLong clock = new AtomicLong(100);
		SmallFileCache cache = new SmallFileCache(100, 1000, UnpooledByteBufAllocator.DEFAULT, clock::incrementAndGet);
		FileSnapshot file = write("shared.txt", "hello");
		release(load(cache, file));
		// Asked at 10, checked by an lstat begun at 101.
		assertFindsHello(cache, file, 10);
		rewrite(file, "HELLO");
		// Asked before that lstat began, as the requests of one hop are: what it saw is as new as the request.
		assertFindsHello(cache, file, 100);
		// Asked at the time that lstat began: it may have missed a change made before the request asked.
		assertThat(find(cache, file, 101)).isNull();
		// The new check, begun at 102, is what a request that asked before it shares now.
		assertThat(find(cache, file, 50)).isNull();
		// Without a check validity, nothing is answered without a check of its own.
		rewrite(file, "hello");
		release(load(cache, FileSnapshot.stat(file.path())));
		assertFindsHello(cache, FileSnapshot.stat(file.path()), 50);
		assertThat(cache.findRecentlyChecked(FileSnapshot.stat(file.path()), 50)).isNull();
		cache.dispose();
	}

	@Test
	void aCheckThatFoundTheFileUnchangedAnswersWithoutAnotherWhileItIsValid() throws IOException {
		// The clock reads 1001, 1002 and so on, once for each lstat the cache begins; a check is trusted for 100.
		AtomicLong clock = new AtomicLong(1000);
		SmallFileCache cache = new SmallFileCache(100, 1000, UnpooledByteBufAllocator.DEFAULT, clock::incrementAndGet,
				Duration.ofNanos(100));
		FileSnapshot file = write("trusted.txt", "hello");
		release(load(cache, file));
		// Nothing checked yet: nothing to trust.
		assertThat(cache.findRecentlyChecked(file, 1000)).isNull();
		// Checked by an lstat begun at 1001.
		assertFindsHello(cache, file, 1000);
		rewrite(file, "HELLO");
		// Within the validity of that check, its result answers without an lstat: with the bytes the file had.
		SmallFileCache.Kept trusted = cache.findRecentlyChecked(file, 1100);
		assertThat(trusted.bytes().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
		trusted.bytes().release();
		assertThat(clock.get()).isEqualTo(1001);
		// Beyond it, the request needs a check of its own, which sees the change.
		assertThat(cache.findRecentlyChecked(file, 1101)).isNull();
		assertThat(find(cache, file, 1101)).isNull();
		// A check that found the file changed vouches for nothing, however recent.
		assertThat(cache.findRecentlyChecked(file, 1050)).isNull();
		assertThat(clock.get()).isEqualTo(1002);
		cache.dispose();
	}

	@Test
	void aDisposedCacheKeepsNothing() throws IOException {
		SmallFileCache cache = new SmallFileCache(40, 100);
		cache.dispose();
		FileSnapshot file = write("late.txt", "late");
		ByteBuf bytes = load(cache, file);
		assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("late");
		bytes.release();
		assertThat(bytes.refCnt()).isZero();
		assertThat(find(cache, file)).isNull();
	}

	private FileSnapshot write(String name, String content) throws IOException {
		Path path = Files.writeString(this.root.resolve(name), content);
		return FileSnapshot.stat(path.toRealPath());
	}

	private static ByteBuf load(SmallFileCache cache, FileSnapshot file) throws IOException {
		try (OpenFile opened = OpenFile.open(file)) {
			return cache.load(opened);
		}
	}

	private static ByteBuf find(SmallFileCache cache, FileSnapshot file) {
		SmallFileCache.Kept kept = cache.find(file);
		return (kept != null) ? kept.bytes() : null;
	}

	private static void assertFindsHello(SmallFileCache cache, FileSnapshot file, long askedAt) {
		ByteBuf found = find(cache, file, askedAt);
		assertThat(found).isNotNull();
		assertThat(found.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
		found.release();
	}

	private static ByteBuf find(SmallFileCache cache, FileSnapshot file, long askedAt) {
		SmallFileCache.Kept kept = cache.find(file, askedAt);
		return (kept != null) ? kept.bytes() : null;
	}

	/**
	 * Rewrite a file in place with as many bytes, and move its modification time on, so that only its content and
	 * times tell the versions apart.
	 */
	private static void rewrite(FileSnapshot file, String content) throws IOException {
		Files.writeString(file.path(), content);
		Files.setLastModifiedTime(file.path(), FileTime.fromMillis(file.lastModified().toEpochMilli() + 5000));
	}

	private static void release(ByteBuf bytes) {
		assertThat(bytes.release()).isFalse();
	}

}
