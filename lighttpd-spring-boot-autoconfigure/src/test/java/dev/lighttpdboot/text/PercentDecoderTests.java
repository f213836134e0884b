package dev.lighttpdboot.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PercentDecoderTests {

	@Test
	void decodesEscapedUtf8AndKeepsEverythingElse() {
		assertThat(PercentDecoder.decode("/d%C3%BCr/a%20b+c")).isEqualTo("/dür/a b+c");
		assertThat(PercentDecoder.decode("%e2%82%ac")).isEqualTo("€");
		assertThat(PercentDecoder.decode("a%2520b")).isEqualTo("a%20b");
	}

	@Test
	void returnsTextWithoutEscapesAsItIs() {
		String text = "/plain/path.txt";
		assertThat(PercentDecoder.decode(text)).isSameAs(text);
	}

	@Test
	void decodesAnEncodedSlashToASlashAndLeavesTheVerdictToTheCaller() {
		assertThat(PercentDecoder.decode("a%2Fb")).isEqualTo("a/b");
		assertThat(PercentDecoder.decode("a%2fb")).isEqualTo("a/b");
	}

	@Test
	void keepsCharactersOutsideAsciiThatAreNotEscapes() {
		assertThat(PercentDecoder.decode("dür/\uD83D\uDE00%20x")).isEqualTo("dür/\uD83D\uDE00 x");
	}

	@ParameterizedTest
	@ValueSource(strings = { "%", "a%", "a%2", "%zz", "%g0", "%0g", "%%41", "% 41", "%-1", "%+1",
			// Character.digit takes these for 1 and 10: an escape is ASCII hex only.
			"%\u0661\u0661", "%4\u0661", "%\uFF21\uFF21", "%\u0967\u0966" })
	void refusesMalformedEscapes(String text) {
		assertThatExceptionOfType(MalformedEncodingException.class).isThrownBy(() -> PercentDecoder.decode(text));
		assertThat(PercentDecoder.tryDecode(text)).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "%C3", "%C3%28", "%80", "%ED%A0%80", "%C0%AF", "%F8%88%80%80%80", "%E2%82" })
	void refusesEscapedBytesThatAreNotUtf8(String text) {
		assertThatExceptionOfType(MalformedEncodingException.class).isThrownBy(() -> PercentDecoder.decode(text))
			.withMessage("malformed UTF-8");
	}

	@Test
	void refusesAnUnpairedSurrogate() {
		assertThat(PercentDecoder.tryDecode("a\uD83Db")).isEmpty();
		assertThat(PercentDecoder.tryDecode("a\uDE00")).isEmpty();
		assertThat(PercentDecoder.tryDecode("a\uD83D")).isEmpty();
	}

	@Test
	void decodesARegion() {
		assertThat(PercentDecoder.decode("/a%20b/c", 1, 6)).isEqualTo("a b");
		// An escape cut by the end of the region is truncated, though the text goes on.
		assertThatExceptionOfType(MalformedEncodingException.class)
			.isThrownBy(() -> PercentDecoder.decode("/a%20b", 1, 4))
			.withMessage("truncated percent-encoding");
	}

}
