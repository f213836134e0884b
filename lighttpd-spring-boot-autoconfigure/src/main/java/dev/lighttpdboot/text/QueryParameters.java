package dev.lighttpdboot.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of a raw query string, decoded by {@link PercentDecoder} ({@code +} is a space), in the order
 * they came. Pairs are separated by {@code &}; a name without {@code =} has the empty value. The one query decoder
 * of the project, so that the upload-progress counter and its endpoint, or a seek and its link, read a query the
 * same way.
 */
public final class QueryParameters {

	private static final QueryParameters NONE = new QueryParameters(Map.of());

	private final Map<String, List<String>> values;

	private QueryParameters(Map<String, List<String>> values) {
		this.values = values;
	}

	/**
	 * Parse a raw query.
	 * @param rawQuery the query without {@code ?}, or {@code null} for none
	 * @return the parameters
	 * @throws MalformedEncodingException if a name or value is not well-formed percent-encoded UTF-8
	 */
	public static QueryParameters parse(String rawQuery) {
		if (rawQuery == null || rawQuery.isEmpty()) {
			return NONE;
		}
		Map<String, List<String>> values = new LinkedHashMap<>();
		int start = 0;
		while (start <= rawQuery.length()) {
			int end = rawQuery.indexOf('&', start);
			if (end < 0) {
				end = rawQuery.length();
			}
			if (end > start) {
				int equals = rawQuery.indexOf('=', start);
				int nameEnd = (equals >= 0 && equals < end) ? equals : end;
				String name = PercentDecoder.decodeQueryComponent(rawQuery, start, nameEnd);
				String value = (nameEnd < end) ? PercentDecoder.decodeQueryComponent(rawQuery, nameEnd + 1, end) : "";
				values.computeIfAbsent(name, (key) -> new ArrayList<>(1)).add(value);
			}
			start = end + 1;
		}
		values.replaceAll((name, list) -> Collections.unmodifiableList(list));
		return new QueryParameters(Collections.unmodifiableMap(values));
	}

	/**
	 * Parse a raw query, or return empty if it is malformed.
	 * @param rawQuery the query without {@code ?}, or {@code null} for none
	 * @return the parameters, or empty
	 */
	public static Optional<QueryParameters> tryParse(String rawQuery) {
		try {
			return Optional.of(parse(rawQuery));
		}
		catch (MalformedEncodingException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Return the first value of a parameter, or empty if it is absent.
	 */
	public Optional<String> first(String name) {
		List<String> found = this.values.get(name);
		return (found != null) ? Optional.of(found.get(0)) : Optional.empty();
	}

	/**
	 * Return the first value of the first parameter whose name equals {@code name} without regard to case, or empty.
	 */
	public Optional<String> firstIgnoringCase(String name) {
		for (Map.Entry<String, List<String>> entry : this.values.entrySet()) {
			if (entry.getKey().equalsIgnoreCase(name)) {
				return Optional.of(entry.getValue().get(0));
			}
		}
		return Optional.empty();
	}

	/**
	 * Return every parameter with its values, in the order they first came.
	 */
	public Map<String, List<String>> asMap() {
		return this.values;
	}

}
