package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import dev.lighttpdboot.test.TestSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FileRootTests {

	private static TestSite site;

	private static FileRoot root;

	private static FileRoot rootWithHidden;

	@BeforeAll
	static void createSite() throws IOException {
		if (site == null) {
			site = TestSite.create();
			root = FileRoot.open(site.root(), false);
			rootWithHidden = FileRoot.open(site.root(), true);
		}
	}

	@AfterAll
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

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases")
	void noRequestPathReachesAFileOutsideTheRoot(RandomCase random) throws IOException {
		String raw = requestPath(random);
		boolean hidden = random.random().nextBoolean();
		FileRoot under = hidden ? rootWithHidden : root;
		Optional<FileSnapshot> found;
		try {
			found = under.lookup(SafePath.parse(raw, HiddenFiles.allowedIf(hidden)));
		}
		catch (PathRefusedException ex) {
			assertThat(ex.getStatusCode().value()).isIn(400, 403, 404);
			return;
		}
		found.ifPresent((file) -> assertThat(file.path().startsWith(under.realPath())).as(file.path().toString()).isTrue());
	}

	static Stream<RandomCase> randomCases() {
		return RandomCases.of(2000);
	}

	private static String requestPath(RandomCase random) {
		List<String> parts = random.list(7, (r) -> r.random().nextBoolean()
				? r.oneOf("..", ".", "", "%2e%2e", ".%2e", "%2f", "%5c", "%00", "link-out.txt", "link-dir-out",
						"link-sibling", "link-relative-out.txt", "link-in.txt", "link-dangling.txt", "secret.txt",
						"hello.txt", "docs", "plain", "sub", ".git", "config", ".hidden.txt", "outside", "www",
						"www-sibling", "%252e%252e", "~")
				: r.string(' ', '~', 4));
		return "/" + String.join("/", parts);
	}

	private static Optional<FileSnapshot> lookup(String path) throws IOException {
		return root.lookup(SafePath.parse(path, HiddenFiles.REFUSED));
	}

}
