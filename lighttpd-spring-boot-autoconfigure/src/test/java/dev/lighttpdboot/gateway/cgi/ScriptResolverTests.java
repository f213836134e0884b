package dev.lighttpdboot.gateway.cgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ScriptResolverTests {

	private static Path base;

	private static FileRoot root;

	private static final ServerHttpRequest REQUEST = MockServerHttpRequest.get("/").build();

	private static FileSystemScheduler fileSystem;

	private static StatCache statCache;

	@BeforeAll
	static void createDocumentRoot() throws IOException {
		if (base != null) {
			return;
		}
		base = Files.createTempDirectory("lighttpd-gateway-root-");
		Path www = Files.createDirectories(base.resolve("www"));
		Files.createDirectories(www.resolve("app"));
		Files.writeString(www.resolve("app/index.php"), "<?php echo 1;");
		Files.writeString(www.resolve("index.php"), "<?php echo 2;");
		Files.createDirectories(www.resolve("dir.php"));
		Files.writeString(base.resolve("secret.php"), "<?php echo 'secret';");
		Files.createSymbolicLink(www.resolve("out.php"), base.resolve("secret.php"));
		Files.createSymbolicLink(www.resolve("in.php"), www.resolve("index.php"));
		root = FileRoot.open(www, false);
		fileSystem = new FileSystemScheduler(2, 100);
		statCache = StatCache.disabled(fileSystem);
	}

	@AfterAll
	static void deleteDocumentRoot() throws IOException {
		if (base != null) {
			fileSystem.dispose();
			FileSystemUtils.deleteRecursively(base);
			base = null;
		}
	}

	@ParameterizedTest(name = "{0} -> [{1}] [{2}]")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			/app/index.php/extra/path | /app/index.php | /extra/path
			/index.php                | /index.php     | ''
			/index.php/               | /index.php     | /
			/index.php/a/             | /index.php     | /a/
			/a.php/b.php/c            | /a.php         | /b.php/c
			/x.phtml/y                | /x.phtml       | /y
			//app//./index.php//x     | /app/index.php | /x
			/index.ph%70/x%20y        | /index.php     | /x y
			/d%C3%BCr/x.php           | /dür/x.php     | ''
			/x.phpx/y                 | -              | -
			/php                      | -              | -
			/INDEX.PHP                | -              | -
			""")
	void extensionRouteSplitsAfterTheFirstScriptSegment(String path, String scriptName, String pathInfo) {
		ScriptResolver resolver = ScriptResolver.forExtensions(List.of(".php", ".phtml"), root);
		Optional<ScriptResolution> resolution = resolve(resolver, path);
		assertThat(resolver.match(path).isPresent()).isEqualTo(scriptName != null);
		assertThat(resolution.map(ScriptResolution::scriptName).orElse(null)).isEqualTo(scriptName);
		assertThat(resolution.map(ScriptResolution::pathInfo).orElse(null)).isEqualTo(pathInfo);
	}

	@ParameterizedTest(name = "{0} {1} -> [{2}] [{3}]")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			/app      | /app/x/y        | /app          | /x/y
			/app      | /app            | /app          | ''
			/app      | /app/           | /app          | /
			/app      | //app/x         | /app          | /x
			/app      | /ap%70/x        | /app          | /x
			/app      | /apple/x        | -             | -
			/app      | /             | -             | -
			/app/     | /app/x/y        | /app/x        | /y
			/app/     | /app/x          | /app/x        | ''
			/cgi-bin/ | /cgi-bin/s/x/y  | /cgi-bin/s    | /x/y
			/cgi-bin/ | /cgi-bin/s/     | /cgi-bin/s    | /
			/cgi-bin/ | /cgi-bin/       | /cgi-bin/     | ''
			/cgi-bin/ | /cgi-bin        | -             | -
			/a/b      | /a/b/c          | /a/b          | /c
			/a/b      | /a/c            | -             | -
			/         | /abc/def/ghi    | ''            | /abc/def/ghi
			/         | /               | ''            | /
			""")
	void prefixRouteSplitsAsLighttpd(String prefix, String path, String scriptName, String pathInfo) {
		ScriptResolver resolver = ScriptResolver.forPathPrefix(prefix, root);
		Optional<ScriptResolution> resolution = resolve(resolver, path);
		assertThat(resolver.match(path).isPresent()).isEqualTo(scriptName != null);
		assertThat(resolution.map(ScriptResolution::scriptName).orElse(null)).isEqualTo(scriptName);
		assertThat(resolution.map(ScriptResolution::pathInfo).orElse(null)).isEqualTo(pathInfo);
	}

	@Test
	void derivesFileNamesFromTheDocumentRoot() {
		ScriptResolution resolution = ScriptResolver.forExtensions(List.of(".php"), root)
			.match("/app/index.php/extra/path/")
			.map(ScriptResolverTests::script)
			.orElseThrow();
		assertThat(resolution.documentRoot()).isEqualTo(root.realPath());
		assertThat(resolution.scriptFilename()).isEqualTo(root.realPath().resolve("app/index.php"));
		assertThat(resolution.pathTranslated()).isEqualTo(root.realPath() + "/extra/path/");
	}

	@Test
	void pathTranslatedIsEmptyWithoutPathInfo() {
		ScriptResolution resolution = script(ScriptResolver.forExtensions(List.of(".php"), root).match("/index.php")
			.orElseThrow());
		assertThat(resolution.pathInfo()).isEmpty();
		assertThat(resolution.pathTranslated()).isEmpty();
	}

	@Test
	void rootPrefixNamesTheDocumentRootAsScript() {
		ScriptResolution resolution = script(ScriptResolver.forPathPrefix("/", root).match("/a/b").orElseThrow());
		assertThat(resolution.scriptFilename()).isEqualTo(root.realPath());
		assertThat(resolution.pathTranslated()).isEqualTo(root.realPath() + "/a/b");
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			/../index.php       | 400
			/app/%2e%2e/x.php   | 400
			/a%2Fb.php          | 400
			/x.php%2Fy          | 400
			/a%00.php           | 400
			/.git/x.php         | 404
			/app/.hidden.php    | 404
			""")
	void refusesWhatSafePathRefuses(String path, int status) {
		ScriptResolver resolver = ScriptResolver.forExtensions(List.of(".php"), root);
		assertThat(resolver.match(path)).get()
			.isInstanceOfSatisfying(ScriptMatch.Refused.class,
					(refused) -> assertThat(refused.reason().getStatusCode().value()).isEqualTo(status));
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "/app%2Fx", "/app%2F", "/%2Fapp/x", "/app%2f..%2fx" })
	void aPathWhoseEncodedSlashesPutItUnderAPrefixIsClaimedAndRefused(String path) {
		ScriptResolver resolver = ScriptResolver.forPathPrefix("/app", root);
		assertThat(resolver.matches(path)).isTrue();
		assertThat(resolver.match(path)).get()
			.isInstanceOfSatisfying(ScriptMatch.Refused.class,
					(refused) -> assertThat(refused.reason().getStatusCode().value()).isEqualTo(400));
		assertThat(ScriptResolver.forPathPrefix("/apple", root).matches(path)).isFalse();
	}

	@Test
	void malformedEncodingIsNotMatched() {
		ScriptResolver resolver = ScriptResolver.forExtensions(List.of(".php"), root);
		assertThat(resolver.match("/x.php%zz")).isEmpty();
		assertThat(resolver.match("/x.php%2")).isEmpty();
		assertThat(resolver.match("/x.php%\u0661\u0661")).isEmpty();
		assertThat(ScriptResolver.forPathPrefix("/app", root).match("/app%")).isEmpty();
	}

	@Test
	void refusesInvalidRoutes() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> ScriptResolver.forExtensions(List.of(), root));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> ScriptResolver.forExtensions(List.of(""), root));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> ScriptResolver.forExtensions(List.of("/x.php"), root));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> ScriptResolver.forPathPrefix("app/", root));
	}

	@Test
	void scriptExistsOnlyForRegularFilesInsideTheRoot() {
		ScriptResolver resolver = ScriptResolver.forExtensions(List.of(".php"), root);
		assertExists(resolver, "/app/index.php/extra", true);
		assertExists(resolver, "/in.php", true);
		assertExists(resolver, "/missing.php", false);
		assertExists(resolver, "/dir.php", false);
		assertExists(resolver, "/out.php", false);
		assertExists(resolver, "/index.php/more.php", true);
		assertExists(resolver, "/app/index.php.php", false);
	}

	@Test
	void scriptExistsNeverTouchesTheFileSystemOnTheCallingThread() {
		ScriptResolver resolver = ScriptResolver.forExtensions(List.of(".php"), root);
		ScriptResolution resolution = script(resolver.match("/index.php").orElseThrow());
		// Subscribed from a non-blocking thread: BlockHound fails the test if the lookup ran there.
		StepVerifier.create(resolver.scriptExists(REQUEST, resolution, statCache).subscribeOn(Schedulers.parallel()))
			.expectNext(true)
			.verifyComplete();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases")
	void everyPathOfTheRouteIsAScriptUnderTheRootOrRefused(RandomCase random) {
		String path = requestPath(random);
		boolean prefixRoute = random.random().nextBoolean();
		ScriptResolver resolver = prefixRoute ? ScriptResolver.forPathPrefix("/app/", root)
				: ScriptResolver.forExtensions(List.of(".php"), root);
		Optional<ScriptMatch> match = resolver.match(path);
		match.ifPresent((found) -> {
			if (found instanceof ScriptMatch.Refused refused) {
				assertThat(refused.reason().getStatusCode()).isIn(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND);
			}
			else {
				ScriptResolution resolution = script(found);
				assertThat(resolution.scriptFilename().startsWith(root.realPath())).isTrue();
				assertThat(resolution.pathInfo()).matches("|/.*");
			}
		});
		// What the static files would serve must not be a script that the route leaves to them.
		if (!prefixRoute && match.isEmpty()) {
			try {
				assertThat(SafePath.parse(path, HiddenFiles.ALLOWED).segments()).as(path).noneMatch((s) -> s.endsWith(".php"));
			}
			catch (PathRefusedException ex) {
				// refused by the static files too
			}
		}
	}

	static Stream<RandomCase> randomCases() {
		return RandomCases.of(1000);
	}

	private static String requestPath(RandomCase random) {
		List<String> parts = random.list(5, (r) -> r.random().nextBoolean()
				? r.oneOf("", ".", "..", "app", "ap%70", "index.php", "index.ph%70", "x.php", "php", ".php", "a%2Fb",
						"%C3%BC.php", "%zz", "%", "app.php", "%\u0661\u0661.php")
				: r.string('a', 'e', 3));
		return "/" + String.join("/", parts);
	}

	private static void assertExists(ScriptResolver resolver, String path, boolean expected) {
		ScriptResolution resolution = script(resolver.match(path).orElseThrow());
		StepVerifier.create(resolver.scriptExists(REQUEST, resolution, statCache)).as(path).expectNext(expected)
			.verifyComplete();
	}

	private static Optional<ScriptResolution> resolve(ScriptResolver resolver, String path) {
		return resolver.match(path).map(ScriptResolverTests::script);
	}

	private static ScriptResolution script(ScriptMatch match) {
		assertThat(match).isInstanceOf(ScriptMatch.Script.class);
		return ((ScriptMatch.Script) match).resolution();
	}

}
