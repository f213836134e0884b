package dev.lighttpdboot.files;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.http.ETag;
import org.springframework.http.HttpHeaders;

/**
 * Evaluates the conditional request headers of a GET or HEAD against a file, in the order of RFC 9110 section
 * 13.2.2, and decides whether {@code If-Range} lets a Range apply.
 * <p>Spring's {@code ServerWebExchange.checkNotModified} evaluates {@code If-Match} only for unsafe methods and
 * ignores {@code If-Range}, while lighttpd, nginx and the RFC apply both to GET; hence this class.
 */
final class Preconditions {

	/** What the preconditions say. */
	enum Outcome {

		/** Serve the file (200 or 206). */
		PROCEED,

		/** 304 Not Modified. */
		NOT_MODIFIED,

		/** 412 Precondition Failed. */
		PRECONDITION_FAILED

	}

	private Preconditions() {
	}

	static Outcome evaluate(HttpHeaders request, FileSnapshot file) {
		List<String> ifMatch = request.getOrEmpty(HttpHeaders.IF_MATCH);
		if (!ifMatch.isEmpty()) {
			if (!anyMatches(ifMatch, file.etag(), true)) {
				return Outcome.PRECONDITION_FAILED;
			}
		}
		else {
			long ifUnmodifiedSince = request.getIfUnmodifiedSince();
			if (ifUnmodifiedSince != -1 && seconds(file.lastModified()) > ifUnmodifiedSince / 1000) {
				return Outcome.PRECONDITION_FAILED;
			}
		}
		List<String> ifNoneMatch = request.getOrEmpty(HttpHeaders.IF_NONE_MATCH);
		if (!ifNoneMatch.isEmpty()) {
			return anyMatches(ifNoneMatch, file.etag(), false) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
		}
		long ifModifiedSince = request.getIfModifiedSince();
		if (ifModifiedSince != -1 && seconds(file.lastModified()) <= ifModifiedSince / 1000) {
			return Outcome.NOT_MODIFIED;
		}
		return Outcome.PROCEED;
	}

	/**
	 * Whether a Range may apply: true without If-Range, else only when If-Range names the current representation,
	 * by a strong entity tag or by exactly its Last-Modified date (RFC 9110 section 13.1.5).
	 */
	static boolean rangeApplies(HttpHeaders request, FileSnapshot file) {
		String ifRange = request.getFirst(HttpHeaders.IF_RANGE);
		if (ifRange == null) {
			return true;
		}
		ifRange = ifRange.trim();
		if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
			ETag current = ETag.create(file.etag());
			List<ETag> tags = ETag.parse(ifRange);
			return tags.size() == 1 && !tags.get(0).isWildcard() && tags.get(0).compare(current, true);
		}
		try {
			Instant date = ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			return date.getEpochSecond() == seconds(file.lastModified());
		}
		catch (DateTimeParseException ex) {
			return false;
		}
	}

	private static boolean anyMatches(List<String> headerValues, String etag, boolean strong) {
		ETag current = ETag.create(etag);
		for (String value : headerValues) {
			for (ETag requested : ETag.parse(value)) {
				if (requested.isWildcard() || requested.compare(current, strong)) {
					return true;
				}
			}
		}
		return false;
	}

	private static long seconds(Instant instant) {
		return instant.truncatedTo(ChronoUnit.SECONDS).getEpochSecond();
	}

}
