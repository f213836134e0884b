package dev.lighttpdboot.files;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

class ContentTypesTests {

	private final ContentTypes contentTypes = new ContentTypes(
			Map.of(".flv", MediaType.parseMediaType("video/x-flv"), "MD", MediaType.parseMediaType("text/markdown")),
			StandardCharsets.UTF_8);

	@Test
	void textualTypesGetTheCharset() {
		assertThat(this.contentTypes.forFileName("index.html")).hasToString("text/html;charset=UTF-8");
		assertThat(this.contentTypes.forFileName("a.css")).hasToString("text/css;charset=UTF-8");
		assertThat(this.contentTypes.forFileName("a.js").getCharset()).isEqualTo(StandardCharsets.UTF_8);
		assertThat(this.contentTypes.forFileName("a.json")).hasToString("application/json;charset=UTF-8");
		assertThat(this.contentTypes.forFileName("a.svg")).hasToString("image/svg+xml;charset=UTF-8");
	}

	@Test
	void binaryTypesGetNone() {
		assertThat(this.contentTypes.forFileName("a.png")).isEqualTo(MediaType.IMAGE_PNG);
		assertThat(this.contentTypes.forFileName("a.unknown-extension")).isEqualTo(MediaType.APPLICATION_OCTET_STREAM);
		assertThat(this.contentTypes.forFileName("no-extension")).isEqualTo(MediaType.APPLICATION_OCTET_STREAM);
	}

	@Test
	void configuredMappingsWinWhateverTheCaseAndDot() {
		assertThat(this.contentTypes.forFileName("clip.FLV")).hasToString("video/x-flv");
		assertThat(this.contentTypes.forFileName("README.md")).hasToString("text/markdown;charset=UTF-8");
	}

}
