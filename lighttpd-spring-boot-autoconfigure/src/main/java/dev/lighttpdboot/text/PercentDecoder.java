package dev.lighttpdboot.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one percent-decoder of request text (paths, header values naming files, query components): every
 * {@code %XX} escape is two ASCII hex digits, and the bytes of a run of escapes are well-formed UTF-8. Anything
 * else is refused, never repaired: a lenient decoder that guesses is how two parts of a server come to read the
 * same path differently.
 * <p>Characters that are not escapes are kept as they are; a character outside ASCII (text decoded already, as
 * a caller outside HTTP may pass) stands for its own UTF-8 bytes, and an unpaired surrogate is refused. What a
 * decoded value may contain (slashes, NUL, control characters) is the caller's policy.
 */
public final class PercentDecoder {

	private PercentDecoder() {
	}

	/**
	 * Decode percent-encoded UTF-8.
	 * @param text the encoded text
	 * @return the decoded text ({@code text} itself when it holds no escape)
	 * @throws MalformedEncodingException if an escape is truncated or not two ASCII hex digits, or the escaped
	 * bytes are not UTF-8
	 */
	public static String decode(String text) {
		return decode(text, 0, text.length(), false);
	}

	/**
	 * Decode a region of percent-encoded UTF-8, as {@link #decode(String)} does.
	 * @param text the text holding the region
	 * @param from the index of the region's first character
	 * @param to the index after the region's last character
	 * @return the decoded region
	 * @throws MalformedEncodingException if the region is malformed
	 */
	public static String decode(String text, int from, int to) {
		return decode(text, from, to, false);
	}

	/**
	 * Decode percent-encoded UTF-8, or return empty if it is malformed: for matching, where text that does not
	 * decode simply does not match.
	 * @param text the encoded text
	 * @return the decoded text, or empty
	 */
	public static Optional<String> tryDecode(String text) {
		try {
			return Optional.of(decode(text));
		}
		catch (MalformedEncodingException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Decode one name or value of a query, where {@code +} stands for a space.
	 */
	static String decodeQueryComponent(String text, int from, int to) {
		return decode(text, from, to, true);
	}

	private static String decode(String text, int from, int to, boolean plusIsSpace) {
		int plain = from;
		while (plain < to && isPlain(text.charAt(plain), plusIsSpace)) {
			plain++;
		}
		if (plain == to) {
			return text.substring(from, to);
		}
		StringBuilder result = new StringBuilder(to - from);
		result.append(text, from, plain);
		byte[] run = null;
		int i = plain;
		while (i < to) {
			char c = text.charAt(i);
			if (c == '%') {
				if (run == null) {
					run = new byte[(to - i) / 3];
				}
				int length = 0;
				while (i < to && text.charAt(i) == '%') {
					if (i + 2 >= to) {
						throw new MalformedEncodingException("truncated percent-encoding");
					}
					int high = hexValue(text.charAt(i + 1));
					int low = hexValue(text.charAt(i + 2));
					if (high < 0 || low < 0) {
						throw new MalformedEncodingException("malformed percent-encoding");
					}
					run[length++] = (byte) ((high << 4) | low);
					i += 3;
				}
				result.append(utf8(run, length));
			}
			else if (c == '+' && plusIsSpace) {
				result.append(' ');
				i++;
			}
			else if (Character.isSurrogate(c)) {
				if (!Character.isHighSurrogate(c) || i + 1 >= to || !Character.isLowSurrogate(text.charAt(i + 1))) {
					throw new MalformedEncodingException("unpaired surrogate");
				}
				result.append(c).append(text.charAt(i + 1));
				i += 2;
			}
			else {
				result.append(c);
				i++;
			}
		}
		return result.toString();
	}

	private static boolean isPlain(char c, boolean plusIsSpace) {
		return c != '%' && !(c == '+' && plusIsSpace) && !Character.isSurrogate(c);
	}

	// Not Character.digit: it takes digits of every script (U+0661 is 1 to it), and an escape is ASCII only.
	private static int hexValue(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		return -1;
	}

	private static String utf8(byte[] bytes, int length) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes, 0, length))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new MalformedEncodingException("malformed UTF-8");
		}
	}

}
