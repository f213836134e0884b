package dev.lighttpdboot.gateway.fastcgi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The application's answer to {@link FastCgiGetValues}: a {@code GET_VALUES_RESULT} record, holding only the
 * names the application knows.
 *
 * @param values the values by name, in the order they came
 */
public record FastCgiGetValuesResult(Map<String, String> values) implements FastCgiResponsePart {

	public FastCgiGetValuesResult {
		values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
	}

}
