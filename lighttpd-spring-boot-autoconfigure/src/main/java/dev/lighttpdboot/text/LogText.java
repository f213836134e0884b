package dev.lighttpdboot.text;

import org.jspecify.annotations.Nullable;

/**
 * Untrusted text (a request path, a header value, a backend's output) made fit for one log line.
 */
public final class LogText {

	private static final int MAX_LENGTH = 256;

	private LogText() {
	}

	/**
	 * Return {@code untrusted} with control characters replaced by {@code ?}, so that it cannot forge log lines,
	 * and cut at 256 characters.
	 */
	public static String printable(@Nullable String untrusted) {
		if (untrusted == null) {
			return "null";
		}
		StringBuilder result = new StringBuilder(Math.min(untrusted.length(), MAX_LENGTH));
		for (int i = 0; i < untrusted.length() && i < MAX_LENGTH; i++) {
			char c = untrusted.charAt(i);
			result.append((c < 0x20 || c == 0x7f) ? '?' : c);
		}
		return (untrusted.length() > MAX_LENGTH) ? result.append("...").toString() : result.toString();
	}

}
