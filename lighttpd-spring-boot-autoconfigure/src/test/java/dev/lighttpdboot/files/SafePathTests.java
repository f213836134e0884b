package dev.lighttpdboot.files;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.http.HttpStatus;
import org.springframework.web.util.UriUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SafePathTests {

	private static final Path ROOT = Path.of("/srv/www");

	@Test
	void decodesPercentEncodingOnceAsUtf8() {
		SafePath path = SafePath.parse("/docs/%C3%BCn%C3%AF%20c%C3%B8d%C3%A9.txt", HiddenFiles.REFUSED);
		assertThat(path.segments()).containsExactly("docs", "ünï cødé.txt");
		assertThat(SafePath.parse("/a%2520b", HiddenFiles.REFUSED).segments()).containsExactly("a%20b");
	}

	@Test
	void dropsEmptyAndDotSegments() {
		SafePath path = SafePath.parse("//docs/./a//b.txt", HiddenFiles.REFUSED);
		assertThat(path.segments()).containsExactly("docs", "a", "b.txt");
		assertThat(path.resolveAgainst(ROOT)).isEqualTo(ROOT.resolve("docs/a/b.txt"));
	}

	@Test
	void remembersTrailingSlash() {
		assertThat(SafePath.parse("/docs/", HiddenFiles.REFUSED).hasTrailingSlash()).isTrue();
		assertThat(SafePath.parse("/docs", HiddenFiles.REFUSED).hasTrailingSlash()).isFalse();
		assertThat(SafePath.parse("/", HiddenFiles.REFUSED).hasTrailingSlash()).isTrue();
		assertThat(SafePath.parse("/", HiddenFiles.REFUSED).segments()).isEmpty();
		assertThat(SafePath.parse("/docs/", HiddenFiles.REFUSED)).hasToString("/docs/");
	}

	@Test
	void keepsCharactersThatAreOrdinaryInFileNames() {
		assertThat(SafePath.parse("/a;b.txt", HiddenFiles.REFUSED).segments()).containsExactly("a;b.txt");
		assertThat(SafePath.parse("/a...b", HiddenFiles.REFUSED).segments()).containsExactly("a...b");
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			/../secret.txt              | 400
			/docs/../../secret.txt      | 400
			/%2e%2e/secret.txt          | 400
			/%2E%2E/secret.txt          | 400
			/.%2e/secret.txt            | 400
			/docs/..                    | 400
			/..%2fsecret.txt            | 400
			/docs%2f..%2f..%2fsecret    | 400
			/%2F                        | 400
			/..\\secret.txt             | 400
			/%5c..%5csecret.txt         | 400
			/hello.txt%00.html          | 400
			/a%0d%0aSet-Cookie:x        | 400
			/a%7f                       | 400
			/a%                         | 400
			/a%2                        | 400
			/a%zz                       | 400
			/%c0%ae%c0%ae/secret.txt    | 400
			/%ff                        | 400
			relative                    | 400
			''                          | 400
			/.hidden.txt                | 404
			/.git/config                | 404
			/docs/.htaccess             | 404
			/%2ehidden                  | 404
			""")
	void refuses(String path, int status) {
		assertThatExceptionOfType(PathRefusedException.class).isThrownBy(() -> SafePath.parse(path, HiddenFiles.REFUSED))
			.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(status));
	}

	@Test
	void allowsHiddenSegmentsWhenConfiguredButNeverDotDot() {
		assertThat(SafePath.parse("/.well-known/security.txt", HiddenFiles.ALLOWED).segments())
			.containsExactly(".well-known", "security.txt");
		assertThatExceptionOfType(PathRefusedException.class).isThrownBy(() -> SafePath.parse("/a/../b", HiddenFiles.ALLOWED))
			.satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases3000")
	void noParsedPathLeavesTheRoot(RandomCase random) {
		String raw = hostilePath(random);
		boolean allowHidden = random.random().nextBoolean();
		SafePath path;
		try {
			path = SafePath.parse(raw, HiddenFiles.allowedIf(allowHidden));
		}
		catch (PathRefusedException ex) {
			assertThat(ex.getStatusCode().value()).isIn(400, 403, 404);
			return;
		}
		Path resolved = path.resolveAgainst(ROOT);
		assertThat(resolved.normalize()).isEqualTo(resolved);
		assertThat(resolved.startsWith(ROOT)).as(resolved.toString()).isTrue();
		for (String segment : path.segments()) {
			assertThat(segment).isNotIn("", ".", "..").doesNotContain("/", "\\", "\0");
			if (!allowHidden) {
				assertThat(segment).doesNotStartWith(".");
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases1000")
	void ordinaryNamesRoundTrip(RandomCase random) {
		List<String> names = names(random);
		StringBuilder raw = new StringBuilder();
		for (String name : names) {
			raw.append('/').append(UriUtils.encodePathSegment(name,
					StandardCharsets.UTF_8));
		}
		assertThat(SafePath.parse(raw.toString(), HiddenFiles.REFUSED).segments()).containsExactlyElementsOf(names);
	}

	static Stream<RandomCase> randomCases3000() {
		return RandomCases.of(3000);
	}

	static Stream<RandomCase> randomCases1000() {
		return RandomCases.of(1000);
	}

	private static String hostilePath(RandomCase random) {
		List<String> parts = random.list(8, (r) -> switch (r.between(0, 2)) {
			case 0 -> r.oneOf("..", ".", "", "%2e", "%2E", "%2e%2e", ".%2e", "%2f", "%2F", "%5c", "\\", "%00", "%",
					"%2", "%c0%ae", "%252e%252e", "/", "//", "a", "docs", "hello.txt", ".hidden", "%2ehidden", "..;",
					";..", "%u002e", "~", "%ff", "%e2%80%ae", " ", "\t", "%\u0661\u0661");
			case 1 -> r.string(' ', '~', 6);
			default -> r.string('\u0000', '\uffff', 3);
		});
		return "/" + String.join("/", parts);
	}

	private static List<String> names(RandomCase random) {
		String alphabet = "abcdefghijklmnopqrstuvwxyz-_ ;%+é字~.";
		return random.list(1, 5, (r) -> {
			String name;
			do {
				StringBuilder text = new StringBuilder();
				int length = r.between(1, 12);
				for (int i = 0; i < length; i++) {
					text.append(alphabet.charAt(r.between(0, alphabet.length() - 1)));
				}
				name = text.toString();
			}
			while (name.startsWith("."));
			return name;
		});
	}

}
