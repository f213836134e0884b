package dev.lighttpdboot.files;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import dev.lighttpdboot.files.Preconditions.Outcome;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class PreconditionsTests {

	private static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05.678Z");

	private static final FileSnapshot FILE = new FileSnapshot(Path.of("/f"), 10, MODIFIED, false, "\"abc\"");

	@Test
	void noConditionsProceed() {
		assertThat(evaluate(new HttpHeaders())).isEqualTo(Outcome.PROCEED);
	}

	@Test
	void ifMatch() {
		assertThat(evaluate(headers(HttpHeaders.IF_MATCH, "\"abc\""))).isEqualTo(Outcome.PROCEED);
		assertThat(evaluate(headers(HttpHeaders.IF_MATCH, "\"x\", \"abc\""))).isEqualTo(Outcome.PROCEED);
		assertThat(evaluate(headers(HttpHeaders.IF_MATCH, "*"))).isEqualTo(Outcome.PROCEED);
		assertThat(evaluate(headers(HttpHeaders.IF_MATCH, "\"other\""))).isEqualTo(Outcome.PRECONDITION_FAILED);
		// If-Match compares strongly: a weak tag never matches.
		assertThat(evaluate(headers(HttpHeaders.IF_MATCH, "W/\"abc\""))).isEqualTo(Outcome.PRECONDITION_FAILED);
	}

	@Test
	void ifUnmodifiedSinceIsIgnoredWhenIfMatchIsPresent() {
		HttpHeaders headers = headers(HttpHeaders.IF_MATCH, "\"abc\"");
		headers.set(HttpHeaders.IF_UNMODIFIED_SINCE, date(MODIFIED.minusSeconds(60)));
		assertThat(evaluate(headers)).isEqualTo(Outcome.PROCEED);
	}

	@Test
	void ifUnmodifiedSinceComparesWholeSeconds() {
		assertThat(evaluate(headers(HttpHeaders.IF_UNMODIFIED_SINCE, date(MODIFIED)))).isEqualTo(Outcome.PROCEED);
		assertThat(evaluate(headers(HttpHeaders.IF_UNMODIFIED_SINCE, date(MODIFIED.minusSeconds(1)))))
			.isEqualTo(Outcome.PRECONDITION_FAILED);
	}

	@Test
	void ifNoneMatchComparesWeakly() {
		assertThat(evaluate(headers(HttpHeaders.IF_NONE_MATCH, "\"abc\""))).isEqualTo(Outcome.NOT_MODIFIED);
		assertThat(evaluate(headers(HttpHeaders.IF_NONE_MATCH, "W/\"abc\""))).isEqualTo(Outcome.NOT_MODIFIED);
		assertThat(evaluate(headers(HttpHeaders.IF_NONE_MATCH, "*"))).isEqualTo(Outcome.NOT_MODIFIED);
		assertThat(evaluate(headers(HttpHeaders.IF_NONE_MATCH, "\"other\""))).isEqualTo(Outcome.PROCEED);
	}

	@Test
	void ifModifiedSinceIsIgnoredWhenIfNoneMatchIsPresent() {
		HttpHeaders headers = headers(HttpHeaders.IF_NONE_MATCH, "\"other\"");
		headers.set(HttpHeaders.IF_MODIFIED_SINCE, date(MODIFIED.plusSeconds(60)));
		assertThat(evaluate(headers)).isEqualTo(Outcome.PROCEED);
	}

	@Test
	void ifModifiedSince() {
		assertThat(evaluate(headers(HttpHeaders.IF_MODIFIED_SINCE, date(MODIFIED)))).isEqualTo(Outcome.NOT_MODIFIED);
		assertThat(evaluate(headers(HttpHeaders.IF_MODIFIED_SINCE, date(MODIFIED.minusSeconds(1)))))
			.isEqualTo(Outcome.PROCEED);
		assertThat(evaluate(headers(HttpHeaders.IF_MODIFIED_SINCE, "not a date"))).isEqualTo(Outcome.PROCEED);
	}

	@Test
	void ifRange() {
		assertThat(Preconditions.rangeApplies(new HttpHeaders(), FILE)).isTrue();
		assertThat(Preconditions.rangeApplies(headers(HttpHeaders.IF_RANGE, "\"abc\""), FILE)).isTrue();
		assertThat(Preconditions.rangeApplies(headers(HttpHeaders.IF_RANGE, "\"old\""), FILE)).isFalse();
		assertThat(Preconditions.rangeApplies(headers(HttpHeaders.IF_RANGE, "W/\"abc\""), FILE)).isFalse();
		assertThat(Preconditions.rangeApplies(headers(HttpHeaders.IF_RANGE, date(MODIFIED)), FILE)).isTrue();
		assertThat(Preconditions.rangeApplies(headers(HttpHeaders.IF_RANGE, date(MODIFIED.plusSeconds(1))), FILE))
			.isFalse();
		assertThat(Preconditions.rangeApplies(headers(HttpHeaders.IF_RANGE, "garbage"), FILE)).isFalse();
	}

	private static Outcome evaluate(HttpHeaders headers) {
		return Preconditions.evaluate(headers, FILE);
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

	private static String date(Instant instant) {
		return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
	}

}
