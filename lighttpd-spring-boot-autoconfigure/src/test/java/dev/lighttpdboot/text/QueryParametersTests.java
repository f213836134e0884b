package dev.lighttpdboot.text;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class QueryParametersTests {

	@Test
	void decodesNamesAndValuesWithPlusAsSpace() {
		QueryParameters query = QueryParameters.parse("a=1&b=x+y%2Bz&c&a=2&d%C3%BC=%C3%BC&&e=");
		assertThat(query.asMap()).containsExactly(Map.entry("a", List.of("1", "2")), Map.entry("b", List.of("x y+z")),
				Map.entry("c", List.of("")), Map.entry("dü", List.of("ü")), Map.entry("e", List.of("")));
		assertThat(query.first("a")).contains("1");
		assertThat(query.first("A")).isEmpty();
		assertThat(query.firstIgnoringCase("A")).contains("1");
	}

	@Test
	void aSemicolonIsPartOfAValue() {
		assertThat(QueryParameters.parse("a=1;b=2").first("a")).contains("1;b=2");
	}

	@Test
	void noQueryHasNoParameters() {
		assertThat(QueryParameters.parse(null).asMap()).isEmpty();
		assertThat(QueryParameters.parse("").asMap()).isEmpty();
	}

	@Test
	void refusesAMalformedNameOrValue() {
		assertThatExceptionOfType(MalformedEncodingException.class).isThrownBy(() -> QueryParameters.parse("a=%zz"));
		assertThat(QueryParameters.tryParse("a%=1")).isEmpty();
		assertThat(QueryParameters.tryParse("start=%\u0661\u0661")).isEmpty();
		assertThat(QueryParameters.tryParse("x=%C3")).isEmpty();
	}

}
