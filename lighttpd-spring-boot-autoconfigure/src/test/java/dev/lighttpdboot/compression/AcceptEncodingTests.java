package dev.lighttpdboot.compression;

import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.lighttpdboot.compression.ContentCoding.BR;
import static dev.lighttpdboot.compression.ContentCoding.GZIP;
import static dev.lighttpdboot.compression.ContentCoding.ZSTD;
import static org.assertj.core.api.Assertions.assertThat;

class AcceptEncodingTests {

	static final List<ContentCoding> ALL = List.of(BR, ZSTD, GZIP);

	static ContentCoding choose(String header) {
		return AcceptEncoding.choose((header != null) ? List.of(header) : null, ALL);
	}

	@Test
	void noHeaderOrAnEmptyOneMeansIdentity() {
		assertThat(choose(null)).isNull();
		assertThat(choose("")).isNull();
		assertThat(choose(" , ")).isNull();
	}

	@Test
	void highestWeightWinsAndTiesFollowTheServer() {
		assertThat(choose("gzip, br")).isEqualTo(BR);
		assertThat(choose("gzip;q=1, br;q=0.9")).isEqualTo(GZIP);
		assertThat(choose("br;q=0.5, zstd;q=0.5, gzip;q=0.4")).isEqualTo(BR);
		assertThat(AcceptEncoding.choose(List.of("gzip, br, zstd"), List.of(GZIP, ZSTD))).isEqualTo(GZIP);
		assertThat(choose("deflate, compress")).isNull();
	}

	@Test
	void zeroRefusesAndStarCoversTheRest() {
		assertThat(choose("gzip;q=0")).isNull();
		assertThat(choose("*")).isEqualTo(BR);
		assertThat(choose("br;q=0, *;q=0.5")).isEqualTo(ZSTD);
		assertThat(choose("*;q=0")).isNull();
		assertThat(choose("identity;q=0")).isNull();
		assertThat(choose("identity, *;q=0, gzip")).isEqualTo(GZIP);
	}

	@Test
	void aliasesCaseWhitespaceAndMalformedWeights() {
		assertThat(choose("X-GZIP")).isEqualTo(GZIP);
		assertThat(choose("gzip;q=0, x-gzip")).isNull();
		assertThat(choose("  Br ; Q = 0.7 ,gzip;q=0.2")).isEqualTo(BR);
		assertThat(choose("br;q=abc, gzip")).isEqualTo(GZIP);
		assertThat(choose("br;q=2, gzip;q=0.1")).isEqualTo(GZIP);
		assertThat(choose("br;level=3")).isEqualTo(BR);
	}

	@Test
	void entityTagsGetTheCodingInsideTheQuotes() {
		assertThat(GZIP.suffix("\"abc\"")).isEqualTo("\"abc-gzip\"");
		assertThat(BR.suffix("W/\"abc\"")).isEqualTo("W/\"abc-br\"");
		assertThat(ZSTD.suffix("unquoted")).isEqualTo("unquoted");
	}

}
