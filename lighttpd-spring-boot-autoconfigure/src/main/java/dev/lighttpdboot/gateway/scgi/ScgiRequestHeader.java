package dev.lighttpdboot.gateway.scgi;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes the header of an SCGI request: a netstring ({@code <length>:<block>,}) whose block holds
 * {@code name NUL value NUL} pairs, CONTENT_LENGTH first and {@code SCGI=1} among them, as the protocol requires.
 * <p>Names and values are byte strings (one {@code char} per byte), as {@code CgiEnvironment} builds them.
 */
public final class ScgiRequestHeader {

	private static final String CONTENT_LENGTH = "CONTENT_LENGTH";

	private static final String SCGI = "SCGI";

	private ScgiRequestHeader() {
	}

	/**
	 * Encode a header.
	 * @param environment the CGI environment; CONTENT_LENGTH must be among it (it is moved first); a pair named
	 * {@code SCGI} is replaced by {@code SCGI=1}
	 * @param allocator allocates the buffer
	 * @return the netstring, ready to be followed by exactly CONTENT_LENGTH body bytes
	 * @throws IllegalArgumentException if CONTENT_LENGTH is missing, or a name is empty or contains NUL
	 */
	public static ByteBuf encode(List<Map.Entry<String, String>> environment, ByteBufAllocator allocator) {
		String contentLength = null;
		int blockLength = 0;
		for (Map.Entry<String, String> pair : environment) {
			String name = pair.getKey();
			if (name.isEmpty() || name.indexOf('\0') >= 0) {
				throw new IllegalArgumentException("invalid SCGI header name '" + name + "'");
			}
			if (name.equals(CONTENT_LENGTH)) {
				contentLength = pair.getValue();
			}
			else if (!name.equals(SCGI) && pair.getValue().indexOf('\0') < 0) {
				blockLength += name.length() + pair.getValue().length() + 2;
			}
		}
		if (contentLength == null) {
			throw new IllegalArgumentException("an SCGI request needs CONTENT_LENGTH");
		}
		blockLength += CONTENT_LENGTH.length() + contentLength.length() + 2 + SCGI.length() + 3;
		String prefix = blockLength + ":";
		ByteBuf header = allocator.buffer(prefix.length() + blockLength + 1);
		header.writeCharSequence(prefix, StandardCharsets.US_ASCII);
		pair(header, CONTENT_LENGTH, contentLength);
		pair(header, SCGI, "1");
		for (Map.Entry<String, String> pair : environment) {
			String name = pair.getKey();
			// A value with NUL cannot be carried; the environment builder never makes one from a valid request.
			if (!name.equals(CONTENT_LENGTH) && !name.equals(SCGI) && pair.getValue().indexOf('\0') < 0) {
				pair(header, name, pair.getValue());
			}
		}
		header.writeByte(',');
		return header;
	}

	private static void pair(ByteBuf header, String name, String value) {
		header.writeCharSequence(name, StandardCharsets.ISO_8859_1);
		header.writeByte(0);
		header.writeCharSequence(value, StandardCharsets.ISO_8859_1);
		header.writeByte(0);
	}

}
