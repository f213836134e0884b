package dev.lighttpdboot.secdownload;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.SafePath;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.util.UriUtils;

/**
 * Signs and verifies expiring download links in the format of lighttpd's mod_secdownload:
 * {@code <uri-prefix><token>/<timestamp><relative path>}, the timestamp being the issue time in epoch seconds,
 * in hex.
 * <ul>
 * <li>{@link Algorithm#MD5}: the token is the lowercase hex of MD5(secret + path + timestamp).</li>
 * <li>{@link Algorithm#HMAC_SHA1}, {@link Algorithm#HMAC_SHA256}: the token is the base64url (no padding) of
 * HMAC(secret, "/" + timestamp + path).</li>
 * </ul>
 * The path hashed is the decoded relative path, cut after its first {@code pathSegments} segments when that is
 * not 0 (one token then unlocks a whole directory), followed by {@code "?"} and the raw query when query strings
 * are hashed and the query is not empty. A link is valid while its timestamp is within the timeout on either
 * side of now.
 * <p>Instances are immutable and thread-safe; nothing here blocks.
 */
public final class SecureLinks {

	private static final int MAX_TIMESTAMP_DIGITS = 16;

	private static final HexFormat HEX = HexFormat.of();

	private static final Base64.Encoder BASE64_URL = Base64.getUrlEncoder().withoutPadding();

	private final String uriPrefix;

	private final Algorithm algorithm;

	private final byte[] secret;

	private final @Nullable SecretKeySpec macKey;

	private final long timeoutSeconds;

	private final int pathSegments;

	private final boolean hashQueryString;

	private final Clock clock;

	/**
	 * Create a signer and verifier.
	 * @param uriPrefix the path links start with, for example {@code /dl/}; it must start with {@code /}
	 * @param algorithm how tokens are computed
	 * @param secret the shared secret, not empty; its UTF-8 bytes are hashed
	 * @param timeout how far the timestamp of a valid link may be from now, on either side (whole seconds)
	 * @param pathSegments how many leading segments of the relative path are hashed; 0 for all of them
	 * @param hashQueryString whether a non-empty query string is part of what is hashed
	 * @param clock the source of "now", for issuing and for checking links
	 */
	public SecureLinks(String uriPrefix, Algorithm algorithm, String secret, Duration timeout, int pathSegments,
			boolean hashQueryString, Clock clock) {
		Assert.isTrue(uriPrefix != null && uriPrefix.startsWith("/"), "uriPrefix must start with '/'");
		Assert.notNull(algorithm, "algorithm must not be null");
		Assert.hasLength(secret, "secret must not be empty");
		Assert.isTrue(timeout != null && !timeout.isNegative(), "timeout must not be negative");
		Assert.isTrue(pathSegments >= 0, "pathSegments must not be negative");
		Assert.notNull(clock, "clock must not be null");
		this.uriPrefix = uriPrefix;
		this.algorithm = algorithm;
		this.secret = secret.getBytes(StandardCharsets.UTF_8);
		this.macKey = (algorithm.macName != null) ? new SecretKeySpec(this.secret, algorithm.macName) : null;
		this.timeoutSeconds = timeout.toSeconds();
		this.pathSegments = pathSegments;
		this.hashQueryString = hashQueryString;
		this.clock = clock;
	}

	/**
	 * Return the path that links start with.
	 */
	public String uriPrefix() {
		return this.uriPrefix;
	}

	/**
	 * Return a link to a file, issued now.
	 * @param relativePath the decoded path below the download root, starting with {@code /}, for example
	 * {@code /reports/May 2026.pdf}
	 * @return the link path, percent-encoded, for example
	 * {@code /dl/2f0c...9a/6a3e1f00/reports/May%202026.pdf}
	 * @throws IllegalArgumentException if the path does not start with {@code /}, has empty, {@code .} or
	 * {@code ..} segments, or contains control characters or backslashes
	 */
	public String link(String relativePath) {
		return link(relativePath, null, this.clock.instant());
	}

	/**
	 * Return a link to a file, issued at the given time: it is valid from {@code issuedAt - timeout} to
	 * {@code issuedAt + timeout}.
	 * @param relativePath the decoded path below the download root, starting with {@code /}
	 * @param issuedAt the issue time, not before 1970
	 * @return the link path, percent-encoded
	 * @throws IllegalArgumentException as {@link #link(String)} does
	 */
	public String link(String relativePath, Instant issuedAt) {
		return link(relativePath, null, issuedAt);
	}

	/**
	 * Return a link to a file with a query string, issued at the given time. The query is hashed only when
	 * query strings are hashed; otherwise it is appended as it is and a client may change it.
	 * @param relativePath the decoded path below the download root, starting with {@code /}
	 * @param query the query string as it will appear in the link (already percent-encoded, without {@code ?}),
	 * or {@code null}
	 * @param issuedAt the issue time, not before 1970
	 * @return the link path, percent-encoded, followed by {@code ?query} when there is a query
	 * @throws IllegalArgumentException as {@link #link(String)} does
	 */
	public String link(String relativePath, @Nullable String query, Instant issuedAt) {
		Assert.isTrue(issuedAt.getEpochSecond() >= 0, "issuedAt must not be before 1970");
		String encodedPath = encode(relativePath);
		SafePath path = canonical(relativePath, encodedPath);
		String hexTime = Long.toHexString(issuedAt.getEpochSecond());
		// Eight digits at least, like lighttpd's own examples (sprintf "%08x").
		hexTime = "0".repeat(Math.max(0, 8 - hexTime.length())) + hexTime;
		boolean hasQuery = query != null && !query.isEmpty();
		StringBuilder link = new StringBuilder(this.uriPrefix)
			.append(expectedToken(hashedPath(path), hexTime, (hasQuery && this.hashQueryString) ? query : null))
			.append('/')
			.append(hexTime)
			.append(encodedPath);
		return hasQuery ? link.append('?').append(query).toString() : link.toString();
	}

	/**
	 * Check a request against this signer, in lighttpd's order: the grammar of the link, then (an addition of
	 * this project) the safety of the relative path, then the time, then the token. A link whose timestamp is out
	 * of the window is {@link Verdict#EXPIRED} whatever its token.
	 * @param rawPath the percent-encoded request path (within the application, without the query)
	 * @param rawQuery the raw query string, or {@code null}
	 * @return the verdict, with the checked relative path when it is {@link Verdict#VALID}
	 */
	public Verification verify(String rawPath, @Nullable String rawQuery) {
		if (!rawPath.startsWith(this.uriPrefix)) {
			return Verification.refused(Verdict.MALFORMED, "not under the uri-prefix");
		}
		int tokenStart = this.uriPrefix.length();
		int tokenEnd = tokenStart + this.algorithm.tokenLength;
		if (rawPath.length() <= tokenEnd || !isBase64Url(rawPath, tokenStart, tokenEnd)
				|| rawPath.charAt(tokenEnd) != '/') {
			return Verification.refused(Verdict.MALFORMED,
					"no " + this.algorithm.tokenLength + "-character token followed by '/'");
		}
		int timeStart = tokenEnd + 1;
		int timeEnd = rawPath.indexOf('/', timeStart);
		if (timeEnd < 0 || timeEnd == timeStart || timeEnd - timeStart > MAX_TIMESTAMP_DIGITS
				|| !isHex(rawPath, timeStart, timeEnd)) {
			return Verification.refused(Verdict.MALFORMED, "no timestamp of 1 to 16 hex digits followed by '/'");
		}
		SafePath path;
		try {
			path = SafePath.parse(rawPath.substring(timeEnd), HiddenFiles.ALLOWED);
		}
		catch (PathRefusedException ex) {
			return Verification.refused(Verdict.UNSAFE_PATH, Objects.requireNonNullElse(ex.getReason(), "unsafe path"));
		}
		String hexTime = rawPath.substring(timeStart, timeEnd);
		String expired = checkTime(Long.parseUnsignedLong(hexTime, 16), this.clock.instant().getEpochSecond());
		if (expired != null) {
			return Verification.refused(Verdict.EXPIRED, expired);
		}
		boolean hashQuery = this.hashQueryString && rawQuery != null && !rawQuery.isEmpty();
		if (!tokenMatches(rawPath.substring(tokenStart, tokenEnd), hashedPath(path), hexTime,
				hashQuery ? rawQuery : null)) {
			return Verification.refused(Verdict.BAD_TOKEN, "bad token");
		}
		return new Verification(Verdict.VALID, path, "valid");
	}

	private @Nullable String checkTime(long timestamp, long now) {
		// The timestamp is unsigned (up to 16 hex digits), so compare and subtract as unsigned numbers.
		boolean future = Long.compareUnsigned(timestamp, now) > 0;
		long distance = future ? timestamp - now : now - timestamp;
		if (Long.compareUnsigned(distance, this.timeoutSeconds) <= 0) {
			return null;
		}
		return "timestamp " + Long.toUnsignedString(distance) + " s in the " + (future ? "future" : "past")
				+ " (timeout " + this.timeoutSeconds + " s)";
	}

	private String hashedPath(SafePath path) {
		List<String> segments = path.segments();
		int count = this.pathSegments;
		// lighttpd cuts at the slash after the N-th segment, so "/sub/" with N = 1 hashes "/sub".
		if (count > 0 && (segments.size() > count || (segments.size() == count && path.hasTrailingSlash()))) {
			return "/" + String.join("/", segments.subList(0, count));
		}
		return path.toString();
	}

	private boolean tokenMatches(String token, String hashedPath, String hexTime, @Nullable String query) {
		if (this.algorithm == Algorithm.MD5) {
			byte[] presented;
			try {
				// Either case, as lighttpd decodes it.
				presented = HEX.parseHex(token);
			}
			catch (IllegalArgumentException ex) {
				return false;
			}
			return MessageDigest.isEqual(md5(hashedPath, hexTime, query), presented);
		}
		byte[] expected = expectedToken(hashedPath, hexTime, query).getBytes(StandardCharsets.US_ASCII);
		return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.US_ASCII));
	}

	private String expectedToken(String hashedPath, String hexTime, @Nullable String query) {
		if (this.algorithm == Algorithm.MD5) {
			return HEX.formatHex(md5(hashedPath, hexTime, query));
		}
		String message = "/" + hexTime + hashedPath + ((query != null) ? "?" + query : "");
		try {
			Mac mac = Mac.getInstance(this.algorithm.macName);
			mac.init(this.macKey);
			return BASE64_URL.encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			// Every Java SE runtime has HmacSHA1 and HmacSHA256.
			throw new IllegalStateException(ex);
		}
	}

	private byte[] md5(String hashedPath, String hexTime, @Nullable String query) {
		MessageDigest md5;
		try {
			md5 = MessageDigest.getInstance("MD5");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
		md5.update(this.secret);
		md5.update(hashedPath.getBytes(StandardCharsets.UTF_8));
		if (query != null) {
			md5.update(("?" + query).getBytes(StandardCharsets.UTF_8));
		}
		return md5.digest(hexTime.getBytes(StandardCharsets.US_ASCII));
	}

	private static String encode(String relativePath) {
		Assert.isTrue(relativePath.startsWith("/"), () -> "relativePath must start with '/': " + relativePath);
		StringBuilder encoded = new StringBuilder(relativePath.length() + 16);
		for (String segment : relativePath.substring(1).split("/", -1)) {
			encoded.append('/').append(UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
		}
		return encoded.toString();
	}

	private static SafePath canonical(String relativePath, String encodedPath) {
		// Parsed exactly as the verifier will parse the request, so a link that is issued always verifies.
		SafePath path;
		try {
			path = SafePath.parse(encodedPath, HiddenFiles.ALLOWED);
		}
		catch (PathRefusedException ex) {
			throw new IllegalArgumentException("Cannot sign '" + relativePath + "': " + ex.getReason());
		}
		if (!path.toString().equals(relativePath)) {
			throw new IllegalArgumentException("Cannot sign '" + relativePath + "': empty or '.' segments");
		}
		return path;
	}

	private static boolean isBase64Url(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			char c = text.charAt(i);
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_')) {
				return false;
			}
		}
		return true;
	}

	private static boolean isHex(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			char c = text.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * How tokens are computed, as lighttpd's {@code secdownload.algorithm} names them ({@code md5},
	 * {@code hmac-sha1}, {@code hmac-sha256}).
	 */
	public enum Algorithm {

		/** Lowercase hex of MD5(secret + path + timestamp), 32 characters; weak, kept for old clients. */
		MD5(32, null),

		/** Base64url of HMAC-SHA1(secret, "/" + timestamp + path), 27 characters. */
		HMAC_SHA1(27, "HmacSHA1"),

		/** Base64url of HMAC-SHA256(secret, "/" + timestamp + path), 43 characters. */
		HMAC_SHA256(43, "HmacSHA256");

		private final int tokenLength;

		private final @Nullable String macName;

		Algorithm(int tokenLength, @Nullable String macName) {
			this.tokenLength = tokenLength;
			this.macName = macName;
		}

		/**
		 * Return the length of a token, in characters.
		 */
		public int tokenLength() {
			return this.tokenLength;
		}

	}

	/** What {@link #verify} decided about a request under the uri-prefix. */
	public enum Verdict {

		/** A good token within its time window: serve the file. */
		VALID,

		/** Not a link at all (token, separator or timestamp missing or malformed): lighttpd passes it on. */
		MALFORMED,

		/** A link whose relative path must not reach the file system ({@code ..}, encoded slash, NUL...). */
		UNSAFE_PATH,

		/** A timestamp further from now than the timeout, in the past or in the future. */
		EXPIRED,

		/** A token that does not match the path, timestamp (and query). */
		BAD_TOKEN

	}

	/**
	 * The outcome of {@link #verify}.
	 *
	 * @param verdict what was decided
	 * @param path the checked relative path when the verdict is {@link Verdict#VALID}, else {@code null}
	 * @param reason why, for the log; it never contains the secret or the expected token
	 */
	public record Verification(Verdict verdict, @Nullable SafePath path, @Nullable String reason) {

		static Verification refused(Verdict verdict, String reason) {
			return new Verification(verdict, null, reason);
		}

	}

}
