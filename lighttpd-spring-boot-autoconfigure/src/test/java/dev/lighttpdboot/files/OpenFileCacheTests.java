package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.FileRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link OpenFileCache} on its own: one descriptor shared while the file stays the one opened, closed only when the
 * last hold on it is given back, and both bounds (the number of descriptors, the inactive time).
 */
class OpenFileCacheTests {

	@TempDir
	Path root;

	/** The cache's clock: stands still unless a test moves it. */
	private final AtomicLong now = new AtomicLong();

	@Test
	void sharesOneDescriptorWhileTheFileIsTheOneOpened() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofHours(1), this.now::get);
		FileSnapshot file = write("a.bin", "hello");
		assertThat(cache.find(file, 0)).isNull();
		FileChannel channel = keep(cache, file).channel();
		// The cache's own hold keeps it open.
		assertThat(channel.isOpen()).isTrue();
		this.now.set(10);
		try (OpenFile held = cache.find(file, 5)) {
			assertThat(held.channel()).isSameAs(channel);
			assertThat(held.snapshot()).isEqualTo(file);
			assertThat(read(held)).isEqualTo("hello");
		}
		assertThat(cache.counts().hits()).isEqualTo(1);
		assertThat(cache.counts().misses()).isEqualTo(1);
		OpenFile stillSending = cache.find(file, 5);
		// Rewritten in place, same size: the check begun after the request asked sees it, and the descriptor is let
		// go, though the response holding it still reads the file it opened.
		Files.writeString(file.path(), "HELLO");
		Files.setLastModifiedTime(file.path(), FileTime.fromMillis(file.lastModified().toEpochMilli() + 5000));
		assertThat(cache.find(file, 10)).isNull();
		assertThat(cache.entries()).isZero();
		assertThat(channel.isOpen()).isTrue();
		assertThat(read(stillSending)).isEqualTo("HELLO");
		stillSending.close();
		assertThat(channel.isOpen()).isFalse();
		cache.dispose();
	}

	@Test
	void theLastHoldClosesTheDescriptorARegionIncluded() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofHours(1), this.now::get);
		FileSnapshot file = write("b.bin", "region");
		keep(cache, file);
		OpenFile held = cache.find(file, -1);
		FileRegion region = held.region(0, file.size());
		cache.dispose();
		held.close();
		// A region queued for sendfile(2) keeps the descriptor, however early the response closes its file.
		assertThat(held.channel().isOpen()).isTrue();
		assertThat(region.release()).isTrue();
		assertThat(held.channel().isOpen()).isFalse();
		// Disposed: nothing is kept any more.
		cache.open(file).close();
		assertThat(cache.entries()).isZero();
	}

	@Test
	void beyondTheBoundTheDescriptorAskedForLeastRecentlyIsLetGo() throws IOException {
		OpenFileCache cache = new OpenFileCache(2, Duration.ofHours(1), this.now::get);
		FileSnapshot a = write("a.bin", "a");
		FileSnapshot b = write("b.bin", "b");
		FileSnapshot c = write("c.bin", "c");
		this.now.set(100);
		OpenFile openedA = keep(cache, a);
		this.now.set(200);
		OpenFile openedB = keep(cache, b);
		this.now.set(300);
		cache.find(a, 250).close();
		this.now.set(400);
		cache.open(c).close();
		assertThat(cache.counts().evictions()).isEqualTo(1);
		assertThat(openedB.channel().isOpen()).isFalse();
		assertThat(openedA.channel().isOpen()).isTrue();
		assertThat(cache.find(b, 400)).isNull();
		cache.find(a, 400).close();
		cache.dispose();
		assertThat(openedA.channel().isOpen()).isFalse();
	}

	@Test
	void aDescriptorNobodyAsksForIsLetGoAfterTheInactiveTime() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofNanos(100), this.now::get);
		FileSnapshot file = write("idle.bin", "idle");
		OpenFile opened = keep(cache, file);
		this.now.set(60);
		cache.find(file, 55).close();
		this.now.set(159);
		cache.sweep();
		assertThat(opened.channel().isOpen()).isTrue();
		this.now.set(160);
		cache.sweep();
		assertThat(cache.entries()).isZero();
		assertThat(opened.channel().isOpen()).isFalse();
	}

	@Test
	void aFileSwappedForASymlinkIsNotSentFromTheOldDescriptor() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofHours(1), this.now::get);
		FileSnapshot file = write("swapped.bin", "inside");
		OpenFile opened = keep(cache, file);
		Path decoy = Files.writeString(this.root.resolve("decoy.bin"), "decoy!");
		Path link = Files.createSymbolicLink(this.root.resolve("swapped.link"), decoy);
		Files.move(link, file.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		assertThat(cache.find(file, -1)).isNull();
		assertThat(opened.channel().isOpen()).isFalse();
		// Opened again as any file is: the final symlink is not followed.
		assertThat(cache.open(file)).isNull();
		cache.dispose();
	}

	@Test
	void aCheckThatFoundTheFileUnchangedLendsTheDescriptorWithoutAnotherWhileItIsValid() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofHours(1), this.now::get, Duration.ofNanos(100));
		FileSnapshot file = write("trusted.bin", "hello");
		FileChannel channel = keep(cache, file).channel();
		// Nothing checked yet: nothing to trust.
		assertThat(cache.findRecentlyChecked(file, 0)).isNull();
		// Checked by an lstat begun at 10.
		this.now.set(10);
		cache.find(file, 5).close();
		Path replacement = Files.writeString(this.root.resolve("trusted.new"), "HELLO");
		Files.move(replacement, file.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		// Within the validity of that check, the kept descriptor is lent without an lstat: the file that was there.
		try (OpenFile trusted = cache.findRecentlyChecked(file, 109)) {
			assertThat(trusted.channel()).isSameAs(channel);
			assertThat(read(trusted)).isEqualTo("hello");
		}
		// Beyond it, the request needs a check of its own, which sees the new file and lets the old descriptor go.
		assertThat(cache.findRecentlyChecked(file, 110)).isNull();
		this.now.set(110);
		assertThat(cache.find(file, 110)).isNull();
		assertThat(channel.isOpen()).isFalse();
		assertThat(cache.findRecentlyChecked(file, 50)).isNull();
		cache.dispose();
	}

	@Test
	void withoutACheckValidityEveryRequestIsChecked() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofHours(1), this.now::get);
		FileSnapshot file = write("checked.bin", "hello");
		keep(cache, file);
		this.now.set(10);
		cache.find(file, 5).close();
		assertThat(cache.findRecentlyChecked(file, 5)).isNull();
		cache.dispose();
	}

	@Test
	void acceptsRegularNonEmptyFilesWithAnIdentity() throws IOException {
		OpenFileCache cache = new OpenFileCache(10, Duration.ofHours(1));
		FileSnapshot file = write("some.bin", "some");
		assertThat(cache.accepts(file)).isTrue();
		assertThat(cache.accepts(write("empty.bin", ""))).isFalse();
		assertThat(cache.accepts(new FileSnapshot(file.path(), file.size(), file.lastModified(), false, file.etag())))
			.isFalse();
		assertThat(cache.accepts(FileSnapshot.stat(this.root.toRealPath()))).isFalse();
		assertThat(OpenFileCache.disabled().accepts(file)).isFalse();
		cache.dispose();
	}

	/**
	 * Open a file through the cache, which keeps its descriptor, and close the file: only the cache holds it then.
	 */
	private static OpenFile keep(OpenFileCache cache, FileSnapshot file) throws IOException {
		OpenFile opened = cache.open(file);
		opened.close();
		return opened;
	}

	private FileSnapshot write(String name, String content) throws IOException {
		Path path = Files.writeString(this.root.resolve(name), content);
		return FileSnapshot.stat(path.toRealPath());
	}

	private static String read(OpenFile file) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(64);
		file.channel().read(buffer, 0);
		return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
	}

}
