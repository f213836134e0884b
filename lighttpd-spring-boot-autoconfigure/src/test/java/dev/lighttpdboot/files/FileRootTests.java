package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import dev.lighttpdboot.test.TestSite;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FileRootTests {

	private static TestSite site;

	private static FileRoot root;

	private static FileRoot rootWithHidden;

	@BeforeAll
	@BeforeContainer
	static void createSite() throws IOException {
		if (site == null) {
			site = TestSite.create();
			root = FileRoot.open(site.root(), false);
			rootWithHidden = FileRoot.open(site.root(), true);
		}
	}

	@AfterAll
	@AfterContainer
	static void deleteSite() {
		if (site != null) {
			site.delete();
			site = null;
		}
	}

	@Test
	void findsFilesAndDirectories() throws IOException {
		FileSnapshot hello = lookup("/hello.txt").orElseThrow();
		assertThat(hello.directory()).isFalse();
		assertThat(hello.size()).isEqualTo(TestSite.HELLO.length());
		assertThat(hello.etag()).startsWith("\"").endsWith("\"");
		assertThat(lookup("/docs").orElseThrow().directory()).isTrue();
		assertThat(lookup("/").orElseThrow().path()).isEqualTo(root.realPath());
	}

	@Test
	void followsSymlinksThatStayInside() throws IOException {
		assertThat(lookup("/link-in.txt").orElseThrow().path()).isEqualTo(root.realPath().resolve("hello.txt"));
	}

	@Test
	void refusesSymlinksThatLeave() {
		for (String path : new String[] { "/link-out.txt", "/link-dir-out/secret.txt", "/link-sibling/secret.txt",
				"/link-relative-out.txt" }) {
			assertThatExceptionOfType(PathRefusedException.class).as(path).isThrownBy(() -> lookup(path))
				.satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN));
		}
	}

	@Test
	void missingAndDanglingAreEmpty() throws IOException {
		assertThat(lookup("/nowhere.txt")).isEmpty();
		assertThat(lookup("/link-dangling.txt")).isEmpty();
		assertThat(lookup("/hello.txt/more")).isEmpty();
		assertThat(lookup("/" + "x".repeat(300))).isEmpty();
	}

	@Test
	void hiddenRealPathsAreEmptyUnlessAllowed() throws IOException {
		assertThat(root.lookup(Path.of(".hidden.txt"))).isEmpty();
		assertThat(rootWithHidden.lookup(Path.of(".hidden.txt"))).isPresent();
	}

	@Test
	void absolutePathsOutsideAreRefused() {
		assertThatExceptionOfType(PathRefusedException.class)
			.isThrownBy(() -> root.lookup(site.root().resolve("../secret.txt")));
	}

	@Test
	void openingAMissingRootFails() {
		assertThatExceptionOfType(NoSuchFileException.class)
			.isThrownBy(() -> FileRoot.open(site.root().resolve("missing"), false));
	}

	@Property(tries = 2000)
	void noRequestPathReachesAFileOutsideTheRoot(@ForAll("requestPaths") String raw, @ForAll boolean hidden)
			throws IOException {
		FileRoot under = hidden ? rootWithHidden : root;
		Optional<FileSnapshot> found;
		try {
			found = under.lookup(SafePath.parse(raw, hidden));
		}
		catch (PathRefusedException ex) {
			assertThat(ex.getStatusCode().value()).isIn(400, 403, 404);
			return;
		}
		found.ifPresent((file) -> assertThat(file.path().startsWith(under.realPath())).as(file.path().toString()).isTrue());
	}

	@Provide
	Arbitrary<String> requestPaths() {
		Arbitrary<String> pieces = Arbitraries.oneOf(
				Arbitraries.of("..", ".", "", "%2e%2e", ".%2e", "%2f", "%5c", "%00", "link-out.txt", "link-dir-out",
						"link-sibling", "link-relative-out.txt", "link-in.txt", "link-dangling.txt", "secret.txt",
						"hello.txt", "docs", "plain", "sub", ".git", "config", ".hidden.txt", "outside", "www",
						"www-sibling", "%252e%252e", "~"),
				Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(4));
		return pieces.list().ofMaxSize(7).map((parts) -> "/" + String.join("/", parts));
	}

	private static Optional<FileSnapshot> lookup(String path) throws IOException {
		return root.lookup(SafePath.parse(path, false));
	}

}
