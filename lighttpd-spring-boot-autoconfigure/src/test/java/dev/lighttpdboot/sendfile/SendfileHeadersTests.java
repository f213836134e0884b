package dev.lighttpdboot.sendfile;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SendfileHeadersTests {

	private final SendfileHeaders all = new SendfileHeaders(
			List.of("x-sendfile", "X-LIGHTTPD-send-file", "X-Sendfile2", "X-Accel-Redirect"));

	@Test
	void decodesPathsAsUtf8() {
		SendfileInstruction instruction = this.all.parse(headers("X-Sendfile", "/srv/%C3%BCn%C3%AF%20c.txt"));
		assertThat(instruction.kind()).isEqualTo(SendfileInstruction.Kind.FILE);
		assertThat(instruction.path()).isEqualTo("/srv/ünï c.txt");
	}

	@Test
	void followsLighttpdPrecedence() {
		HttpHeaders headers = headers("X-Sendfile", "/a");
		headers.set("X-LIGHTTPD-send-file", "/b");
		headers.set("X-Accel-Redirect", "/c");
		assertThat(this.all.parse(headers).path()).isEqualTo("/a");
		headers.set("X-Sendfile2", "/d 0-1");
		assertThat(this.all.parse(headers).kind()).isEqualTo(SendfileInstruction.Kind.RANGES);
	}

	@Test
	void honoursOnlyConfiguredHeaders() {
		SendfileHeaders onlyAccel = new SendfileHeaders(List.of("X-Accel-Redirect"));
		assertThat(onlyAccel.isPresent(headers("X-Sendfile", "/a"))).isFalse();
		assertThat(onlyAccel.parse(headers("X-Sendfile", "/a"))).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> new SendfileHeaders(List.of("X-Unknown")));
	}

	@Test
	void parsesSendfile2Parts() {
		SendfileInstruction instruction = this.all.parse(headers("X-Sendfile2", "/a%20b 0-99, /c 100-"));
		assertThat(instruction.ranges()).containsExactly(new SendfileInstruction.Part(Path.of("/a b"), 0, 99),
				new SendfileInstruction.Part(Path.of("/c"), 100, -1));
	}

	@Test
	void refusesMalformedValues() {
		for (String[] header : new String[][] { { "X-Sendfile2", "/a" }, { "X-Sendfile2", "/a 5-1" },
				{ "X-Sendfile2", "/a x-1" }, { "X-Sendfile2", "/a -1" }, { "X-Sendfile", "/a%zz" },
				{ "X-Sendfile", "/a%c0%ae" }, { "X-Sendfile", "/a%00b" }, { "X-Sendfile", "" } }) {
			assertThatExceptionOfType(InvalidSendfileHeaderException.class).as(String.join(": ", header))
				.isThrownBy(() -> this.all.parse(headers(header[0], header[1])));
		}
	}

	@Test
	void accelRedirectDropsTheQuery() {
		assertThat(this.all.parse(headers("X-Accel-Redirect", "/protected/a%20b.txt?x=1")).path())
			.isEqualTo("/protected/a%20b.txt");
	}

	@Test
	void stripsConfiguredAndInternalHeadersOnly() {
		HttpHeaders headers = headers("X-Sendfile", "/a");
		headers.set("X-LIGHTTPD-KBytes-per-second", "10");
		headers.set("X-Accel-Redirect", "/b");
		headers.set("X-Accel-Buffering", "no");
		headers.set("Content-Type", "text/plain");
		this.all.strip(headers);
		assertThat(headers.headerNames()).containsExactlyInAnyOrder("X-Accel-Buffering", "Content-Type");
	}

	@Test
	void namesWhatStripAllRemoves() {
		HttpHeaders headers = headers("x-sendfile", "/a");
		for (String name : List.of("X-Sendfile2", "X-LIGHTTPD-send-file", "x-accel-redirect", "X-Lighttpd-Other",
				"X-Accel-Buffering", "X-Sendfiles", "Content-Type", "X-Light")) {
			headers.set(name, "v");
		}
		List<String> named = headers.headerNames().stream().filter(SendfileHeaders::isStrippedByStripAll).toList();
		SendfileHeaders.stripAll(headers);
		assertThat(named).containsExactlyInAnyOrder("x-sendfile", "X-Sendfile2", "X-LIGHTTPD-send-file",
				"x-accel-redirect", "X-Lighttpd-Other");
		assertThat(headers.headerNames()).containsExactlyInAnyOrder("X-Accel-Buffering", "X-Sendfiles", "Content-Type",
				"X-Light");
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

}
