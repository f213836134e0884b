package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link OpenFile} against names changed between the check and the open: the opened file is below the root and
 * described by its own snapshot, or nothing is opened.
 */
class OpenFileTests {

	@TempDir
	Path base;

	private FileRoot root;

	private Path outside;

	@BeforeEach
	void site() throws IOException {
		Path www = Files.createDirectories(this.base.resolve("www/sub"));
		this.outside = Files.createDirectories(this.base.resolve("outside"));
		write(www.resolve("a.txt"), "inside\n");
		write(this.outside.resolve("a.txt"), "OUTSIDE, longer\n");
		this.root = FileRoot.open(this.base.resolve("www"), false);
	}

	@Test
	void theCheckedFileOpensWithItsSnapshot() throws IOException {
		FileSnapshot checked = lookup("sub/a.txt");
		try (OpenFile opened = OpenFile.open(checked)) {
			assertThat(opened.snapshot()).isSameAs(checked);
			assertThat(read(opened)).isEqualTo("inside\n");
		}
	}

	@Test
	void aReplacedFileOpensWithASnapshotOfItsOwn() throws IOException {
		FileSnapshot checked = lookup("sub/a.txt");
		Path fresh = write(this.root.realPath().resolve("sub/a.new"), "replaced, longer\n");
		Files.move(fresh, this.root.realPath().resolve("sub/a.txt"), StandardCopyOption.ATOMIC_MOVE);
		try (OpenFile opened = OpenFile.open(checked)) {
			assertThat(opened.snapshot().size()).isEqualTo(17);
			assertThat(opened.snapshot().etag()).isNotEqualTo(checked.etag());
			assertThat(read(opened)).isEqualTo("replaced, longer\n");
		}
	}

	@Test
	void aFileSwappedForASymlinkIsNotOpened() throws IOException {
		FileSnapshot checked = lookup("sub/a.txt");
		Path link = Files.createSymbolicLink(this.root.realPath().resolve("sub/a.tmp"), this.outside.resolve("a.txt"));
		Files.move(link, this.root.realPath().resolve("sub/a.txt"), StandardCopyOption.ATOMIC_MOVE);
		assertThat(OpenFile.open(checked)).isNull();
	}

	@Test
	void aDirectorySwappedForASymlinkIsNotWalkedThrough() throws IOException {
		FileSnapshot checked = lookup("sub/a.txt");
		Files.move(this.root.realPath().resolve("sub"), this.root.realPath().resolve("sub.old"),
				StandardCopyOption.ATOMIC_MOVE);
		Files.createSymbolicLink(this.root.realPath().resolve("sub"), this.outside);
		assertThat(OpenFile.open(checked)).isNull();
	}

	@Test
	void aRemovedFileIsNotOpened() throws IOException {
		FileSnapshot checked = lookup("sub/a.txt");
		Files.delete(this.root.realPath().resolve("sub/a.txt"));
		assertThat(OpenFile.open(checked)).isNull();
	}

	@Test
	void aDirectoryIsRefused() throws IOException {
		assertThatExceptionOfType(PathRefusedException.class).isThrownBy(() -> OpenFile.open(lookup("sub")))
			.satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN));
	}

	@Test
	void closingTwiceIsHarmless() throws IOException {
		OpenFile opened = OpenFile.open(lookup("sub/a.txt"));
		opened.close();
		opened.close();
		assertThat(opened.isClosed()).isTrue();
		assertThat(opened.channel().isOpen()).isFalse();
	}

	private FileSnapshot lookup(String relative) throws IOException {
		return this.root.lookup(Path.of(relative)).orElseThrow();
	}

	private static Path write(Path path, String text) throws IOException {
		return Files.writeString(path, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
	}

	private static String read(OpenFile opened) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate((int) opened.snapshot().size());
		opened.channel().read(buffer, 0);
		return new String(buffer.array(), StandardCharsets.UTF_8);
	}

}
