package dev.lighttpdboot.gateway.fastcgi;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;

/**
 * The name-value pairs of {@code PARAMS}, {@code GET_VALUES} and {@code GET_VALUES_RESULT} records: a length for
 * the name and one for the value (one byte below 128, else four bytes with the top bit set), then the name and the
 * value, with no terminator.
 * <p>Names and values are ISO-8859-1: FastCGI carries bytes, and CGI variables are bytes too (an HTTP header value
 * is not necessarily UTF-8; a PHP script reads {@code $_SERVER} as raw bytes). Each char of a string stands for
 * one byte, so any byte round-trips. A caller that holds Unicode text, a decoded path for example, converts it
 * first with {@code new String(text.getBytes(UTF_8), ISO_8859_1)}; chars above U+00FF are refused rather than
 * silently turned into {@code ?}, which would make a different file name.
 */
public final class FastCgiNameValuePairs {

	private static final int MAX_SHORT_LENGTH = 127;

	private FastCgiNameValuePairs() {
	}

	/**
	 * Write one pair.
	 * @param name the name
	 * @param value the value
	 * @param out where to write
	 * @throws IllegalArgumentException if the name or the value holds a char above U+00FF
	 */
	public static void encode(String name, String value, ByteBuf out) {
		int wide = indexOfNonByte(name);
		if (wide >= 0) {
			throw notAByte("Name " + name, name, wide);
		}
		wide = indexOfNonByte(value);
		if (wide >= 0) {
			throw notAByte("Value of " + name, value, wide);
		}
		writeLength(name.length(), out);
		writeLength(value.length(), out);
		out.writeCharSequence(name, StandardCharsets.ISO_8859_1);
		out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
	}

	/**
	 * Return the number of bytes {@link #encode(String, String, ByteBuf)} writes for one pair.
	 * @throws IllegalArgumentException if that is more than {@link Integer#MAX_VALUE}
	 */
	public static int encodedLength(String name, String value) {
		long length = (long) lengthOfLength(name.length()) + lengthOfLength(value.length()) + name.length()
				+ value.length();
		if (length > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("Name-value pair of " + length + " bytes is too long");
		}
		return (int) length;
	}

	/**
	 * Read pairs until no byte is left, consuming all readable bytes of the buffer.
	 * @param in the content of a record
	 * @return the pairs in the order they came; of a name that comes twice, the last value
	 * @throws IllegalArgumentException if a length or a name or value is cut short
	 */
	public static Map<String, String> decodeAll(ByteBuf in) {
		Map<String, String> pairs = new LinkedHashMap<>();
		while (in.isReadable()) {
			int nameLength = readLength(in);
			int valueLength = readLength(in);
			if ((long) nameLength + valueLength > in.readableBytes()) {
				throw new IllegalArgumentException("Name-value pair of " + nameLength + " + " + valueLength
						+ " bytes but only " + in.readableBytes() + " left");
			}
			String name = in.readCharSequence(nameLength, StandardCharsets.ISO_8859_1).toString();
			String value = in.readCharSequence(valueLength, StandardCharsets.ISO_8859_1).toString();
			pairs.put(name, value);
		}
		return Collections.unmodifiableMap(pairs);
	}

	private static int lengthOfLength(int length) {
		return (length <= MAX_SHORT_LENGTH) ? 1 : 4;
	}

	private static void writeLength(int length, ByteBuf out) {
		if (length <= MAX_SHORT_LENGTH) {
			out.writeByte(length);
		}
		else {
			out.writeInt(length | 0x80000000);
		}
	}

	private static int readLength(ByteBuf in) {
		if (!in.isReadable()) {
			throw new IllegalArgumentException("Name-value pair cut short in a length");
		}
		if ((in.getByte(in.readerIndex()) & 0x80) == 0) {
			return in.readUnsignedByte();
		}
		if (in.readableBytes() < 4) {
			throw new IllegalArgumentException("Name-value pair cut short in a 4-byte length");
		}
		return in.readInt() & 0x7fffffff;
	}

	private static int indexOfNonByte(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) > 0xff) {
				return i;
			}
		}
		return -1;
	}

	private static IllegalArgumentException notAByte(String what, String text, int index) {
		return new IllegalArgumentException(what + " holds char U+" + String.format("%04X", (int) text.charAt(index))
				+ " at index " + index + ", which is not a byte; convert text to bytes-as-chars (ISO-8859-1) first");
	}

}
