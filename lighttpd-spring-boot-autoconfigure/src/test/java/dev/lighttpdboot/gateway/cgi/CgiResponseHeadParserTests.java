package dev.lighttpdboot.gateway.cgi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.lighttpdboot.gateway.TrackingBuffers;
import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class CgiResponseHeadParserTests {

	private final TrackingBuffers buffers = TrackingBuffers.netty();

	@Test
	void statusHeaderSetsTheStatusAndIsNotAHeader() {
		Result result = parse("Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\nbody");
		assertThat(result.status()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(result.headers().containsHeader("Status")).isFalse();
		assertThat(result.headers().getContentType()).isEqualTo(MediaType.TEXT_HTML);
		assertThat(result.body()).isEqualTo("body");
	}

	@Test
	void statusWithoutReasonAndUnknownCodes() {
		assertThat(parse("Status: 404\r\n\r\n").status()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(parse("status:299 Whatever\n\n").status()).isEqualTo(HttpStatusCode.valueOf(299));
		assertThat(parse("Status: 599\n\n").status().value()).isEqualTo(599);
	}

	@Test
	void locationWithoutStatusIsAFoundRedirect() {
		Result result = parse("Location: /index.html\r\n\r\n");
		assertThat(result.status()).isEqualTo(HttpStatus.FOUND);
		// Not followed internally: the client gets the redirect.
		assertThat(result.headers().getFirst("Location")).isEqualTo("/index.html");
		assertThat(parse("Location: http://example.org/\r\nStatus: 301\r\n\r\n").status())
			.isEqualTo(HttpStatus.MOVED_PERMANENTLY);
		assertThat(parse("Status: 200\r\nLocation: /x\r\n\r\n").status()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void neitherStatusNorLocationIsOk() {
		Result result = parse("Content-Type: text/plain\r\n\r\n");
		assertThat(result.status()).isEqualTo(HttpStatus.OK);
		assertThat(result.body()).isEmpty();
	}

	@Test
	void acceptsAnNphStatusLine() {
		Result result = parse("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nx");
		assertThat(result.status()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(result.headers().size()).isEqualTo(1);
		assertThat(parse("HTTP/1.0 304\n\n").status()).isEqualTo(HttpStatus.NOT_MODIFIED);
		assertThat(parse("HTTP/1.1 200 OK\r\nStatus: 503\r\n\r\n").status())
			.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(parse("HTTP/1.1 200 OK\r\nLocation: /x\r\n\r\n").status()).isEqualTo(HttpStatus.OK);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "A: 1\r\n\r\n", "A: 1\n\n", "A: 1\r\n\n", "A: 1\n\r\n" })
	void toleratesLfAndMixedLineEndings(String head) {
		Result result = parse(head + "rest\r\n\r\nmore");
		assertThat(result.headers().getFirst("A")).isEqualTo("1");
		assertThat(result.body()).isEqualTo("rest\r\n\r\nmore");
	}

	@Test
	void emptyHeadIsOkWithBody() {
		Result result = parse("\r\nbody");
		assertThat(result.status()).isEqualTo(HttpStatus.OK);
		assertThat(result.headers().isEmpty()).isTrue();
		assertThat(result.body()).isEqualTo("body");
	}

	@Test
	void keepsRepeatedHeadersApartAndNamesCaseInsensitive() {
		Result result = parse("Set-Cookie: a=1; Path=/\r\nset-cookie: b=2\r\nX-Multi: 1, 2\r\n\r\n");
		assertThat(result.headers().get("Set-Cookie")).containsExactly("a=1; Path=/", "b=2");
		assertThat(result.headers().get("x-multi")).containsExactly("1, 2");
	}

	@Test
	void trimsWhitespaceAroundValuesAndAllowsEmptyValues() {
		Result result = parse("A: \t spaced \t\r\nB:\r\nC:tight\r\n\r\n");
		assertThat(result.headers().getFirst("A")).isEqualTo("spaced");
		assertThat(result.headers().getFirst("B")).isEmpty();
		assertThat(result.headers().getFirst("C")).isEqualTo("tight");
	}

	@Test
	void keepsValuesAsRawBytes() {
		byte[] utf8 = "X: café\r\n\r\n".getBytes(StandardCharsets.UTF_8);
		CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
		CgiResponseHeadParser.Parsed parsed = parser.feed(this.buffers.buffer(utf8)).orElseThrow();
		DataBufferUtils.release(parsed.body());
		assertThat(parsed.head().headers().getFirst("X"))
			.isEqualTo(new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
		this.buffers.assertAllReleased();
	}

	@Test
	void mergesEqualContentLengths() {
		Result result = parse("Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
		assertThat(result.headers().get("Content-Length")).containsExactly("5");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "no colon here\r\n\r\n", "A: 1\r\n folded\r\n\r\n", "A: 1\r\n\tfolded\r\n\r\n",
			" A: 1\r\n\r\n", "A : 1\r\n\r\n", ": 1\r\n\r\n", "A(b): 1\r\n\r\n", "Status: abc\r\n\r\n",
			"Status: 30\r\n\r\n", "Status: 1000\r\n\r\n", "Status: 404x\r\n\r\n", "Status:\r\n\r\n",
			"Status: 100 Continue\r\n\r\n", "Status: 103\r\n\r\n", "Status: 099\r\n\r\n", "HTTP/1.1 30\r\n\r\n",
			"HTTP/1.1\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/x 200\r\n\r\n", "A: 1\r\nHTTP/1.1 200 OK\r\n\r\n",
			"A: x\u0000y\r\n\r\n", "A: x\ry\r\n\r\n", "A: x\u007fy\r\n\r\n", "Content-Length: -1\r\n\r\n",
			"Content-Length: 1e3\r\n\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
			"Content-Length: 5, 5\r\n\r\n", "Content-Length: 99999999999999999999\r\n\r\n" })
	void refusesMalformedHeads(String head) {
		for (int at = 1; at < head.length(); at += 3) {
			int split = at;
			CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
			byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
			assertThatExceptionOfType(InvalidCgiResponseException.class).as("split at %d", split).isThrownBy(() -> {
				feedAll(parser, List.of(this.buffers.buffer(bytes, 0, split),
						this.buffers.buffer(bytes, split, bytes.length - split)));
			}).satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY));
		}
		this.buffers.assertAllReleased();
	}

	@Test
	void refusesHeadsOverTheLimit() {
		String head = "A: " + "x".repeat(95) + "\r\n\r\n";
		assertThat(head).hasSize(102);
		CgiResponseHeadParser exact = new CgiResponseHeadParser(102);
		CgiResponseHeadParser.Parsed parsed = exact.feed(this.buffers.buffer(bytes(head + "body"))).orElseThrow();
		DataBufferUtils.release(parsed.body());
		CgiResponseHeadParser small = new CgiResponseHeadParser(101);
		assertThatExceptionOfType(CgiResponseHeadTooLargeException.class)
			.isThrownBy(() -> small.feed(this.buffers.buffer(bytes(head))))
			.satisfies((ex) -> assertThat(ex.maxHeadSize()).isEqualTo(101));
		this.buffers.assertAllReleased();
	}

	@Test
	void refusesAnEndlessHeadAcrossBuffers() {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(64 * 1024);
		byte[] line = bytes("X-Filler: " + "y".repeat(1000) + "\r\n");
		assertThatExceptionOfType(CgiResponseHeadTooLargeException.class).isThrownBy(() -> {
			for (int i = 0; i < 100; i++) {
				assertThat(parser.feed(this.buffers.buffer(line))).isEmpty();
			}
		});
		this.buffers.assertAllReleased();
	}

	@Test
	void handsBackTheCompletingBufferPositionedAtTheBody() {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
		assertThat(parser.feed(this.buffers.buffer(bytes("Status: 201\r\nA: b\r")))).isEmpty();
		DataBuffer last = this.buffers.buffer(bytes("\n\r\nbody"));
		CgiResponseHeadParser.Parsed parsed = parser.feed(last).orElseThrow();
		assertThat(parsed.body()).isSameAs(last);
		assertThat(parsed.body().toString(StandardCharsets.ISO_8859_1)).isEqualTo("body");
		assertThat(parsed.head().status()).isEqualTo(HttpStatus.CREATED);
		DataBufferUtils.release(parsed.body());
		this.buffers.assertAllReleased();
	}

	@Test
	void bodyMayBeEmpty() {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
		CgiResponseHeadParser.Parsed parsed = parser.feed(this.buffers.buffer(bytes("A: 1\r\n\r\n"))).orElseThrow();
		assertThat(parsed.body().readableByteCount()).isZero();
		DataBufferUtils.release(parsed.body());
		this.buffers.assertAllReleased();
	}

	@Test
	void refusesBuffersAfterTheHead() {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
		DataBufferUtils.release(parser.feed(this.buffers.buffer(bytes("\r\n"))).orElseThrow().body());
		assertThatIllegalStateException().isThrownBy(() -> parser.feed(this.buffers.buffer(bytes("more"))));
		this.buffers.assertAllReleased();
	}

	@Test
	void abandoningAnIncompleteHeadLeaksNothing() {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
		assertThat(parser.feed(this.buffers.buffer(bytes("Status: 200\r\n")))).isEmpty();
		this.buffers.assertAllReleased();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("randomCases")
	void anySplitGivesTheSameResult(RandomCase random) {
		String response = response(random);
		List<Integer> cuts = random.list(8, (r) -> r.between(0, 200));
		boolean netty = random.random().nextBoolean();
		TrackingBuffers tracking = TrackingBuffers.of(netty);
		byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
		Result whole = parse(tracking, List.of(bytes));
		List<byte[]> pieces = split(bytes, cuts);
		Result pieced = parse(tracking, pieces);
		assertThat(pieced).isEqualTo(whole);
		Result bytewise = parse(tracking, split(bytes, allCuts(bytes.length)));
		assertThat(bytewise).isEqualTo(whole);
		tracking.assertAllReleased();
	}

	static Stream<RandomCase> randomCases() {
		return RandomCases.of(300);
	}

	private static String response(RandomCase random) {
		String status = random.oneOf("", "", "HTTP/1.1 200 OK\r\n", "HTTP/1.0 500\n");
		List<String> lines = random.list(6, (r) -> r.oneOf("Content-Type", "X-A", "Set-Cookie", "Location", "Status",
				"x-b") + ":" + r.oneOf("text/html", "1", "a=b; Path=/", "/x", "404 Not Found", "201", "", " spaced ")
				+ r.oneOf("\r\n", "\n"));
		String end = random.oneOf("\r\n", "\n");
		String body = String.join("", random.list(20, (r) -> r.oneOf("a", "b", "\r", "\n", ":")));
		return status + String.join("", lines) + end + body;
	}

	private Result parse(String response) {
		Result result = parse(this.buffers, List.of(bytes(response)));
		this.buffers.assertAllReleased();
		return result;
	}

	/**
	 * Parse, turning the outcome (head or error) into a comparable value and releasing the body.
	 */
	private static Result parse(TrackingBuffers buffers, List<byte[]> pieces) {
		CgiResponseHeadParser parser = new CgiResponseHeadParser(1024);
		List<DataBuffer> fed = new ArrayList<>();
		pieces.forEach((piece) -> fed.add(buffers.buffer(piece)));
		try {
			CgiResponseHeadParser.Parsed parsed = feedAll(parser, fed);
			if (parsed == null) {
				return new Result(null, null, null, "incomplete");
			}
			return new Result(parsed.head().status(), parsed.head().headers(), drain(parsed.body()), null);
		}
		catch (InvalidCgiResponseException ex) {
			return new Result(null, null, null, ex.getReason());
		}
	}

	/**
	 * Feed buffers in turn; once the head is complete, the rest is body and appended to the handed-back buffer.
	 */
	private static CgiResponseHeadParser.Parsed feedAll(CgiResponseHeadParser parser, List<DataBuffer> buffers) {
		CgiResponseHeadParser.Parsed parsed = null;
		int i = 0;
		try {
			for (; i < buffers.size() && parsed == null; i++) {
				Optional<CgiResponseHeadParser.Parsed> result = parser.feed(buffers.get(i));
				parsed = result.orElse(null);
			}
		}
		catch (RuntimeException ex) {
			buffers.subList(i + 1, buffers.size()).forEach(DataBufferUtils::release);
			throw ex;
		}
		if (parsed == null) {
			return null;
		}
		List<DataBuffer> rest = buffers.subList(i, buffers.size());
		if (rest.isEmpty()) {
			return parsed;
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(bytesOf(parsed.body()));
		rest.forEach((buffer) -> body.writeBytes(bytesOf(buffer)));
		return new CgiResponseHeadParser.Parsed(parsed.head(),
				TrackingBuffers.plain().buffer(body.toByteArray()));
	}

	private static byte[] bytesOf(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return bytes;
	}

	private static String drain(DataBuffer buffer) {
		return new String(bytesOf(buffer), StandardCharsets.ISO_8859_1);
	}

	private static List<byte[]> split(byte[] bytes, List<Integer> cuts) {
		List<Integer> points = cuts.stream().map((cut) -> Math.min(cut, bytes.length)).sorted().toList();
		List<byte[]> pieces = new ArrayList<>();
		int from = 0;
		for (int point : points) {
			pieces.add(Arrays.copyOfRange(bytes, from, Math.max(from, point)));
			from = Math.max(from, point);
		}
		pieces.add(Arrays.copyOfRange(bytes, from, bytes.length));
		return pieces;
	}

	private static List<Integer> allCuts(int length) {
		List<Integer> cuts = new ArrayList<>();
		for (int i = 1; i < length; i++) {
			cuts.add(i);
		}
		return cuts;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	/** The outcome of one parse: a head and body, or the reason it failed. */
	private record Result(HttpStatusCode status, HttpHeaders headers, String body, String error) {
	}

}
