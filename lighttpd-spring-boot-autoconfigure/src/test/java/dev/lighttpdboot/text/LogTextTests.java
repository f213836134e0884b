package dev.lighttpdboot.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTests {

	@Test
	void controlCharactersCannotForgeALine() {
		assertThat(LogText.printable("/a\r\nINFO forged\u0000\u001b[31m\u007f/b"))
			.isEqualTo("/a??INFO forged??[31m?/b");
	}

	@Test
	void longTextIsCut() {
		assertThat(LogText.printable("x".repeat(300))).isEqualTo("x".repeat(256) + "...");
		assertThat(LogText.printable("x".repeat(256))).isEqualTo("x".repeat(256));
	}

	@Test
	void otherCharactersStay() {
		assertThat(LogText.printable("/dür/字 %2F")).isEqualTo("/dür/字 %2F");
	}

}
