package dev.lighttpdboot.compression;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A content coding this project can produce (RFC 9110 section 8.4.1), with the token sent in
 * {@code Content-Encoding} and the file-name extension of its precompressed siblings.
 */
public enum ContentCoding {

	/** gzip (RFC 1952), from the JDK. */
	GZIP("gzip", ".gz"),

	/** Brotli (RFC 7932), from brotli4j. */
	BR("br", ".br"),

	/** Zstandard (RFC 8878), from zstd-jni. */
	ZSTD("zstd", ".zst");

	private final String token;

	private final String extension;

	ContentCoding(String token, String extension) {
		this.token = token;
		this.extension = extension;
	}

	/**
	 * Return the token of this coding in {@code Accept-Encoding} and {@code Content-Encoding}.
	 */
	public String token() {
		return this.token;
	}

	/**
	 * Return the extension of a precompressed sibling file in this coding, with its dot.
	 */
	public String extension() {
		return this.extension;
	}

	/**
	 * Return the coding named by a token ({@code x-gzip} counts as gzip, RFC 9110 section 8.4.1.3), or
	 * {@code null}.
	 */
	public static @Nullable ContentCoding forToken(String token) {
		String name = token.trim().toLowerCase(Locale.ROOT);
		return switch (name) {
			case "gzip", "x-gzip" -> GZIP;
			case "br" -> BR;
			case "zstd" -> ZSTD;
			default -> null;
		};
	}

	/**
	 * Return a strong or weak entity tag with this coding's token appended inside the quotes, as lighttpd and
	 * Apache httpd do: each encoded representation has its own tag.
	 */
	public String suffix(String etag) {
		if (etag == null || !etag.endsWith("\"") || etag.length() < 2) {
			return etag;
		}
		return etag.substring(0, etag.length() - 1) + "-" + this.token + "\"";
	}

}
