package dev.lighttpdboot.uploadprogress;

import java.util.Optional;

import dev.lighttpdboot.text.LogText;
import dev.lighttpdboot.text.QueryParameters;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.lang.Contract;

/**
 * Finds and checks the {@code X-Progress-ID} of a request: the header first, then the query parameter, as
 * lighttpd and nginx look for it. An id is 1 to 128 characters of letters, digits, '-', '_' and '.': lighttpd's
 * 32 hex digits and the UUIDs of nginx clients fit, and nothing that could forge a log line or a JSON string does.
 */
public final class ProgressIds {

	/** The header and query parameter name. */
	public static final String NAME = "X-Progress-ID";

	private static final Log logger = LogFactory.getLog(ProgressIds.class);

	private static final int MAX_LENGTH = 128;

	private ProgressIds() {
	}

	/**
	 * Return the request's progress id, or {@code null} if it has none, only an invalid one, or a query that cannot
	 * be decoded (a broken percent escape: the application answers that request; it is just not tracked).
	 * @param header the value of the {@code X-Progress-ID} header, or {@code null}
	 * @param uri the request target (path and query)
	 */
	public static @Nullable String find(@Nullable String header, String uri) {
		if (header != null) {
			return valid(header) ? header : null;
		}
		int query = uri.indexOf('?');
		if (query < 0 || !containsIgnoreCase(uri, query)) {
			return null;
		}
		Optional<QueryParameters> parameters = QueryParameters.tryParse(uri.substring(query + 1));
		if (parameters.isEmpty()) {
			if (logger.isDebugEnabled()) {
				logger.debug("Not tracking the upload to " + LogText.printable(uri) + ": its query cannot be decoded");
			}
			return null;
		}
		return parameters.get().firstIgnoringCase(NAME).filter(ProgressIds::valid).orElse(null);
	}

	/**
	 * Return whether {@code id} is acceptable as a progress id.
	 */
	@Contract("null -> false")
	public static boolean valid(@Nullable String id) {
		if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_' || c == '.';
			if (!ok) {
				return false;
			}
		}
		return true;
	}

	// Most requests have no progress id: avoid decoding their query at all.
	private static boolean containsIgnoreCase(String uri, int from) {
		for (int i = from; i <= uri.length() - NAME.length(); i++) {
			if (uri.regionMatches(true, i, NAME, 0, NAME.length())) {
				return true;
			}
		}
		return false;
	}

}
