package dev.lighttpdboot.gateway.fastcgi;

import io.netty.buffer.ByteBuf;

/**
 * The 8-byte header every FastCGI record starts with, and the size rules of outgoing records.
 * <p>Outgoing records are padded to a multiple of 8 bytes, as the specification recommends and nginx does. php-fpm
 * rejects a record whose content and padding together exceed 65535 bytes, so streams are cut into records of at
 * most {@value #MAX_STREAM_CHUNK} bytes (php-fpm's own output size), which need no padding at all; the only
 * record that can be longer is a single name-value pair of 65529 to 65535 bytes, sent without padding.
 */
final class FastCgiRecordHeader {

	static final int LENGTH = 8;

	static final int VERSION = 1;

	/**
	 * The largest content, and also the largest content plus padding, that a record may carry.
	 */
	static final int MAX_CONTENT_LENGTH = 0xffff;

	/**
	 * The largest content of a stream record: the largest multiple of 8 that fits in a record.
	 */
	static final int MAX_STREAM_CHUNK = 0xfff8;

	static final int NULL_REQUEST_ID = 0;

	private FastCgiRecordHeader() {
	}

	/**
	 * Return the padding that follows the given content: up to the next multiple of 8, unless that would not fit in
	 * a record.
	 */
	static int paddingLength(int contentLength) {
		int padding = -contentLength & 7;
		return (contentLength + padding <= MAX_CONTENT_LENGTH) ? padding : 0;
	}

	/**
	 * Write a header for the given content with the padding {@link #paddingLength(int)} asks for.
	 * @return the padding length the caller has to write after the content
	 */
	static int write(ByteBuf out, FastCgiRecordType type, int requestId, int contentLength) {
		int padding = paddingLength(contentLength);
		out.writeByte(VERSION);
		out.writeByte(type.code());
		out.writeShort(requestId);
		out.writeShort(contentLength);
		out.writeByte(padding);
		out.writeByte(0);
		return padding;
	}

	/**
	 * Check the id of a request record: 0 is reserved for management records.
	 */
	static int checkRequestId(int requestId) {
		if (requestId < 1 || requestId > 0xffff) {
			throw new IllegalArgumentException("Request id " + requestId + " is not between 1 and 65535");
		}
		return requestId;
	}

}
