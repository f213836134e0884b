package dev.lighttpdboot.secdownload;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.lighttpdboot.secdownload.SecureLinks.Algorithm;
import dev.lighttpdboot.secdownload.SecureLinks.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Signing and verifying links, against tokens computed independently with the JDK ({@link Tokens}).
 */
class SecureLinksTests {

	private static final String SECRET = "verysecret";

	private static final Instant NOW = Instant.ofEpochSecond(0x6a3e1f00L);

	private static final String HEX_NOW = "6a3e1f00";

	private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

	private static SecureLinks links(Algorithm algorithm) {
		return links(algorithm, 0, false);
	}

	private static SecureLinks links(Algorithm algorithm, int pathSegments, boolean hashQueryString) {
		return new SecureLinks("/dl/", algorithm, SECRET, Duration.ofSeconds(60), pathSegments, hashQueryString, CLOCK);
	}

	private static String hex(long epochSecond) {
		return Long.toHexString(epochSecond);
	}

	@Test
	void md5LinkIsHexOfSecretPathAndTime() {
		String token = Tokens.md5(SECRET, "/index.html", HEX_NOW);
		assertThat(token).hasSize(32).matches("[0-9a-f]+");
		assertThat(links(Algorithm.MD5).link("/index.html")).isEqualTo("/dl/" + token + "/" + HEX_NOW + "/index.html");
	}

	@Test
	void hmacSha1LinkIsBase64UrlOfTheProtectedPath() {
		String token = Tokens.hmacSha1(SECRET, HEX_NOW, "/index.html");
		assertThat(token).hasSize(27);
		assertThat(links(Algorithm.HMAC_SHA1).link("/index.html", NOW))
			.isEqualTo("/dl/" + token + "/" + HEX_NOW + "/index.html");
	}

	@Test
	void hmacSha256LinkIsBase64UrlOfTheProtectedPath() {
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/index.html");
		assertThat(token).hasSize(43);
		assertThat(links(Algorithm.HMAC_SHA256).link("/index.html", NOW))
			.isEqualTo("/dl/" + token + "/" + HEX_NOW + "/index.html");
	}

	@Test
	void theExampleInTheDocumentation() {
		// Token computed outside Java (Python's hmac module), as docs/secdownload.md shows it.
		SecureLinks links = new SecureLinks("/dl/", Algorithm.HMAC_SHA256, "change-me", Duration.ofSeconds(60), 0,
				false, CLOCK);
		assertThat(links.link("/reports/May 2026.pdf", NOW))
			.isEqualTo("/dl/1KjpZ6M3u8aiynz2rKf8Nsw1M8Iyc88UlPDgwVhYaOA/6a3e1f00/reports/May%202026.pdf");
	}

	@Test
	void linkUsesTheGivenTimeAndPadsItToEightDigits() {
		Instant early = Instant.ofEpochSecond(255);
		String token = Tokens.hmacSha256(SECRET, "000000ff", "/a.txt");
		assertThat(links(Algorithm.HMAC_SHA256).link("/a.txt", early)).isEqualTo("/dl/" + token + "/000000ff/a.txt");
	}

	@Test
	void linkPercentEncodesThePathButHashesItDecoded() {
		String path = "/reports/May 2026 ü;v=1.pdf";
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, path);
		String link = links(Algorithm.HMAC_SHA256).link(path, NOW);
		assertThat(link).isEqualTo("/dl/" + token + "/" + HEX_NOW + "/reports/May%202026%20%C3%BC;v=1.pdf");
		assertThat(links(Algorithm.HMAC_SHA256).verify(link, null).verdict()).isEqualTo(Verdict.VALID);
	}

	@ParameterizedTest
	@ValueSource(strings = { "relative.txt", "", "/a/../b", "/..", "/a//b", "/./a", "/a/.", "/a\\b", "/a\u0000b",
			"/a\nb" })
	void linkRefusesPathsThatWouldNotVerify(String path) {
		assertThatIllegalArgumentException().isThrownBy(() -> links(Algorithm.MD5).link(path, NOW));
	}

	@Test
	void everyIssuedLinkVerifiesOnItsOwnPath() {
		for (Algorithm algorithm : Algorithm.values()) {
			SecureLinks links = links(algorithm);
			for (String path : new String[] { "/", "/a.txt", "/dir/", "/x/y/z.bin", "/100%.txt", "/.hidden", "/a+b c" }) {
				SecureLinks.Verification verification = links.verify(links.link(path), null);
				assertThat(verification.verdict()).as(algorithm + " " + path).isEqualTo(Verdict.VALID);
				assertThat(verification.path().toString()).isEqualTo(path);
			}
		}
	}

	@Test
	void timestampIsAcceptedAsWrittenInAnyCaseAndLength() {
		SecureLinks links = links(Algorithm.HMAC_SHA256);
		for (String hexTime : new String[] { HEX_NOW, "6A3E1F00", "00000000" + HEX_NOW, "0" + HEX_NOW }) {
			String token = Tokens.hmacSha256(SECRET, hexTime, "/a.txt");
			assertThat(links.verify("/dl/" + token + "/" + hexTime + "/a.txt", null).verdict()).as(hexTime)
				.isEqualTo(Verdict.VALID);
		}
		String md5 = Tokens.md5(SECRET, "/a.txt", "6A3E1F00");
		assertThat(links(Algorithm.MD5).verify("/dl/" + md5 + "/6A3E1F00/a.txt", null).verdict())
			.isEqualTo(Verdict.VALID);
	}

	@Test
	void validWithinTheTimeoutOnBothSidesOfNow() {
		SecureLinks links = links(Algorithm.HMAC_SHA1);
		assertThat(verdictAt(links, NOW.getEpochSecond() - 60)).isEqualTo(Verdict.VALID);
		assertThat(verdictAt(links, NOW.getEpochSecond() + 60)).isEqualTo(Verdict.VALID);
		assertThat(verdictAt(links, NOW.getEpochSecond() - 61)).isEqualTo(Verdict.EXPIRED);
		assertThat(verdictAt(links, NOW.getEpochSecond() + 61)).isEqualTo(Verdict.EXPIRED);
		assertThat(verdictAt(links, NOW.getEpochSecond() - 1800)).isEqualTo(Verdict.EXPIRED);
		assertThat(verdictAt(links, 0)).isEqualTo(Verdict.EXPIRED);
	}

	private static Verdict verdictAt(SecureLinks links, long epochSecond) {
		String hexTime = hex(epochSecond);
		String token = Tokens.hmacSha1(SECRET, hexTime, "/a.txt");
		return links.verify("/dl/" + token + "/" + hexTime + "/a.txt", null).verdict();
	}

	@Test
	void largestTimestampIsFarFutureNotNegative() {
		String hexTime = "ffffffffffffffff";
		String token = Tokens.hmacSha256(SECRET, hexTime, "/a.txt");
		SecureLinks.Verification verification = links(Algorithm.HMAC_SHA256)
			.verify("/dl/" + token + "/" + hexTime + "/a.txt", null);
		assertThat(verification.verdict()).isEqualTo(Verdict.EXPIRED);
		assertThat(verification.reason()).contains("future");
	}

	@Test
	void timeIsCheckedBeforeTheToken() {
		String old = hex(NOW.getEpochSecond() - 1800);
		String garbage = "A".repeat(43);
		assertThat(links(Algorithm.HMAC_SHA256).verify("/dl/" + garbage + "/" + old + "/a.txt", null).verdict())
			.isEqualTo(Verdict.EXPIRED);
		assertThat(links(Algorithm.HMAC_SHA256).verify("/dl/" + garbage + "/" + HEX_NOW + "/a.txt", null).verdict())
			.isEqualTo(Verdict.BAD_TOKEN);
	}

	@Test
	void tokenOfAnotherFileOrTimeIsBad() {
		SecureLinks links = links(Algorithm.HMAC_SHA256);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/a.txt");
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/b.txt", null).verdict()).isEqualTo(Verdict.BAD_TOKEN);
		assertThat(links.verify("/dl/" + token + "/" + hex(NOW.getEpochSecond() - 1) + "/a.txt", null).verdict())
			.isEqualTo(Verdict.BAD_TOKEN);
		String otherSecret = Tokens.hmacSha256("other", HEX_NOW, "/a.txt");
		assertThat(links.verify("/dl/" + otherSecret + "/" + HEX_NOW + "/a.txt", null).verdict())
			.isEqualTo(Verdict.BAD_TOKEN);
	}

	@Test
	void md5TokenIsDecodedInEitherCaseAndNonHexIsBad() {
		SecureLinks links = links(Algorithm.MD5);
		String token = Tokens.md5(SECRET, "/a.txt", HEX_NOW);
		assertThat(links.verify("/dl/" + token.toUpperCase() + "/" + HEX_NOW + "/a.txt", null).verdict())
			.isEqualTo(Verdict.VALID);
		// 32 characters of the right alphabet pass the grammar, then fail as a token (lighttpd: 403).
		assertThat(links.verify("/dl/" + "z".repeat(32) + "/" + HEX_NOW + "/a.txt", null).verdict())
			.isEqualTo(Verdict.BAD_TOKEN);
	}

	@Test
	void theDecodedNormalisedPathIsHashed() {
		SecureLinks links = links(Algorithm.HMAC_SHA256);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/file.txt");
		for (String path : new String[] { "/file.txt", "/file%2etxt", "//file.txt", "/./file.txt", "/%66ile.txt" }) {
			assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + path, null).verdict()).as(path)
				.isEqualTo(Verdict.VALID);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "/dl/", "/dl/abc", "/dl/abc/6a3e1f00/a.txt", "/dl/{27}/6a3e1f00/a.txt",
			"/dl/{44}/6a3e1f00/a.txt", "/dl/{43}=/6a3e1f00/a.txt", "/dl/{43}", "/dl/{43}/", "/dl/{43}/6a3e1f00",
			"/dl/{43}//a.txt", "/dl/{43}/6a3e1g00/a.txt", "/dl/{43}/00000000000000000/a.txt", "/dl/{43}/-1/a.txt",
			"/dl/{43}/+6a3e1f00/a.txt", "/dl/{43}/0x6a3e1f00/a.txt", "/dl/{42}./6a3e1f00/a.txt",
			"/dl/{42}%/6a3e1f00/a.txt", "/dl/{43}/６a3e1f00/a.txt" })
	void notALinkIsMalformed(String template) {
		String path = template.replace("{27}", "A".repeat(27))
			.replace("{42}", "A".repeat(42))
			.replace("{43}", "A".repeat(43))
			.replace("{44}", "A".repeat(44));
		assertThat(links(Algorithm.HMAC_SHA256).verify(path, null).verdict()).as(path).isEqualTo(Verdict.MALFORMED);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/../secret.txt", "/a/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
			"/a%00.txt", "/a%5c..%5csecret.txt", "/%zz" })
	void unsafeRelativePathsAreRefusedBeforeTimeAndToken(String relativePath) {
		String old = hex(NOW.getEpochSecond() - 1800);
		SecureLinks.Verification verification = links(Algorithm.HMAC_SHA256)
			.verify("/dl/" + "A".repeat(43) + "/" + old + relativePath, null);
		assertThat(verification.verdict()).isEqualTo(Verdict.UNSAFE_PATH);
		assertThat(verification.path()).isNull();
	}

	@Test
	void pathSegmentsHashOnlyTheLeadingSegments() {
		SecureLinks links = links(Algorithm.HMAC_SHA256, 1, false);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/sub");
		for (String path : new String[] { "/sub", "/sub/", "/sub/deeper/x.txt", "/sub/other.txt" }) {
			assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + path, null).verdict()).as(path)
				.isEqualTo(Verdict.VALID);
		}
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/other/x.txt", null).verdict())
			.isEqualTo(Verdict.BAD_TOKEN);
		assertThat(links.link("/sub/deeper/x.txt", NOW)).isEqualTo("/dl/" + token + "/" + HEX_NOW + "/sub/deeper/x.txt");
	}

	@Test
	void pathSegmentsBeyondThePathHashItAll() {
		SecureLinks links = links(Algorithm.HMAC_SHA1, 3, false);
		String token = Tokens.hmacSha1(SECRET, HEX_NOW, "/a/b");
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/a/b", null).verdict()).isEqualTo(Verdict.VALID);
		String twoOfThree = Tokens.hmacSha1(SECRET, HEX_NOW, "/a/b/c");
		assertThat(links.verify("/dl/" + twoOfThree + "/" + HEX_NOW + "/a/b/c/d.txt", null).verdict())
			.isEqualTo(Verdict.VALID);
	}

	@Test
	void md5WithPathSegmentsHashesTheCutPath() {
		SecureLinks links = links(Algorithm.MD5, 1, false);
		String token = Tokens.md5(SECRET, "/sub", HEX_NOW);
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/sub/x.txt", null).verdict()).isEqualTo(Verdict.VALID);
	}

	@Test
	void hashedQueryStringMustMatch() {
		SecureLinks links = links(Algorithm.HMAC_SHA256, 0, true);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/v.flv?start=100");
		String path = "/dl/" + token + "/" + HEX_NOW + "/v.flv";
		assertThat(links.verify(path, "start=100").verdict()).isEqualTo(Verdict.VALID);
		assertThat(links.verify(path, "start=200").verdict()).isEqualTo(Verdict.BAD_TOKEN);
		assertThat(links.verify(path, null).verdict()).isEqualTo(Verdict.BAD_TOKEN);
		assertThat(links.link("/v.flv", "start=100", NOW)).isEqualTo(path + "?start=100");
	}

	@Test
	void emptyQueryIsNotHashed() {
		SecureLinks links = links(Algorithm.HMAC_SHA256, 0, true);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/v.flv");
		String path = "/dl/" + token + "/" + HEX_NOW + "/v.flv";
		assertThat(links.verify(path, "").verdict()).isEqualTo(Verdict.VALID);
		assertThat(links.verify(path, null).verdict()).isEqualTo(Verdict.VALID);
		assertThat(links.link("/v.flv", "", NOW)).isEqualTo(path);
	}

	@Test
	void md5HashesTheQueryAfterThePath() {
		SecureLinks links = links(Algorithm.MD5, 0, true);
		String token = Tokens.md5(SECRET, "/v.flv?start=100", HEX_NOW);
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/v.flv", "start=100").verdict())
			.isEqualTo(Verdict.VALID);
	}

	@Test
	void queryIsIgnoredUnlessHashed() {
		SecureLinks links = links(Algorithm.HMAC_SHA256);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/v.flv");
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/v.flv", "start=100").verdict())
			.isEqualTo(Verdict.VALID);
		assertThat(links.link("/v.flv", "start=100", NOW)).isEqualTo("/dl/" + token + "/" + HEX_NOW + "/v.flv?start=100");
	}

	@Test
	void pathSegmentsAndQueryTogether() {
		SecureLinks links = links(Algorithm.HMAC_SHA1, 1, true);
		String token = Tokens.hmacSha1(SECRET, HEX_NOW, "/sub?k=v");
		assertThat(links.verify("/dl/" + token + "/" + HEX_NOW + "/sub/x.txt", "k=v").verdict())
			.isEqualTo(Verdict.VALID);
	}

	@Test
	void anyPrefixWorks() {
		SecureLinks links = new SecureLinks("/files/secure-", Algorithm.HMAC_SHA256, SECRET, Duration.ofSeconds(60),
				0, false, CLOCK);
		String token = Tokens.hmacSha256(SECRET, HEX_NOW, "/a.txt");
		assertThat(links.link("/a.txt")).isEqualTo("/files/secure-" + token + "/" + HEX_NOW + "/a.txt");
		assertThat(links.verify(links.link("/a.txt"), null).verdict()).isEqualTo(Verdict.VALID);
	}

	@Test
	void reasonsNeverContainTheSecretOrTheExpectedToken() {
		SecureLinks links = links(Algorithm.HMAC_SHA256);
		String expected = Tokens.hmacSha256(SECRET, HEX_NOW, "/a.txt");
		SecureLinks.Verification verification = links.verify("/dl/" + "A".repeat(43) + "/" + HEX_NOW + "/a.txt", null);
		assertThat(verification.reason()).doesNotContain(SECRET).doesNotContain(expected);
		assertThat(verification.toString()).doesNotContain(SECRET).doesNotContain(expected);
	}

	@Test
	void invalidSettingsAreRefused() {
		Duration timeout = Duration.ofSeconds(60);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SecureLinks("dl/", Algorithm.MD5, SECRET, timeout, 0, false, CLOCK));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SecureLinks("/dl/", Algorithm.MD5, "", timeout, 0, false, CLOCK));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SecureLinks("/dl/", Algorithm.MD5, SECRET, Duration.ofSeconds(-1), 0, false, CLOCK));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SecureLinks("/dl/", Algorithm.MD5, SECRET, timeout, -1, false, CLOCK));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> links(Algorithm.MD5).link("/a.txt", Instant.ofEpochSecond(-1)));
	}

}
