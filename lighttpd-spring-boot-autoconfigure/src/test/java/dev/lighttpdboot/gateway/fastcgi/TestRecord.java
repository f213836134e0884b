package dev.lighttpdboot.gateway.fastcgi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One FastCGI record as the tests see it: built byte by byte for the decoder, parsed back from what the encoder
 * wrote. Written independently of the codec so that the two check each other.
 */
record TestRecord(int version, int type, int requestId, byte[] content, int paddingLength) {

	static TestRecord of(FastCgiRecordType type, int requestId, byte[] content, int paddingLength) {
		return new TestRecord(1, type.code(), requestId, content, paddingLength);
	}

	static TestRecord of(FastCgiRecordType type, int requestId, String content, int paddingLength) {
		return of(type, requestId, content.getBytes(StandardCharsets.ISO_8859_1), paddingLength);
	}

	static TestRecord of(FastCgiRecordType type, int requestId, String content) {
		return of(type, requestId, content, 0);
	}

	static TestRecord endRequest(int requestId, long appStatus, int protocolStatus) {
		byte[] body = { (byte) (appStatus >>> 24), (byte) (appStatus >>> 16), (byte) (appStatus >>> 8),
				(byte) appStatus, (byte) protocolStatus, 0, 0, 0 };
		return of(FastCgiRecordType.END_REQUEST, requestId, body, 0);
	}

	FastCgiRecordType recordType() {
		return FastCgiRecordType.of(this.type);
	}

	String contentAsString() {
		return new String(this.content, StandardCharsets.ISO_8859_1);
	}

	byte[] toBytes() {
		byte[] bytes = new byte[8 + this.content.length + this.paddingLength];
		bytes[0] = (byte) this.version;
		bytes[1] = (byte) this.type;
		bytes[2] = (byte) (this.requestId >>> 8);
		bytes[3] = (byte) this.requestId;
		bytes[4] = (byte) (this.content.length >>> 8);
		bytes[5] = (byte) this.content.length;
		bytes[6] = (byte) this.paddingLength;
		System.arraycopy(this.content, 0, bytes, 8, this.content.length);
		// Non-zero padding: a decoder must skip it, not read it.
		Arrays.fill(bytes, 8 + this.content.length, bytes.length, (byte) 0x5a);
		return bytes;
	}

	static byte[] toBytes(TestRecord... records) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		for (TestRecord record : records) {
			bytes.writeBytes(record.toBytes());
		}
		return bytes.toByteArray();
	}

	/**
	 * Parse a stream of whole records, checking that each fits in what php-fpm accepts: version 1, content plus
	 * padding at most 65535 bytes, zero padding.
	 */
	static List<TestRecord> parseAll(byte[] bytes) {
		List<TestRecord> records = new ArrayList<>();
		int index = 0;
		while (index < bytes.length) {
			assertThat(bytes.length - index).as("bytes left for a header").isGreaterThanOrEqualTo(8);
			int version = bytes[index] & 0xff;
			int type = bytes[index + 1] & 0xff;
			int requestId = ((bytes[index + 2] & 0xff) << 8) | (bytes[index + 3] & 0xff);
			int contentLength = ((bytes[index + 4] & 0xff) << 8) | (bytes[index + 5] & 0xff);
			int paddingLength = bytes[index + 6] & 0xff;
			assertThat(version).isEqualTo(1);
			assertThat(bytes[index + 7]).as("reserved").isZero();
			assertThat(contentLength + paddingLength).as("content + padding").isLessThanOrEqualTo(65535);
			int contentStart = index + 8;
			int paddingStart = contentStart + contentLength;
			int end = paddingStart + paddingLength;
			assertThat(end).as("record end").isLessThanOrEqualTo(bytes.length);
			for (int i = paddingStart; i < end; i++) {
				assertThat(bytes[i]).as("padding byte").isZero();
			}
			records.add(new TestRecord(version, type, requestId, Arrays.copyOfRange(bytes, contentStart, paddingStart),
					paddingLength));
			index = end;
		}
		return records;
	}

	/**
	 * Read and release everything the channel wrote, as one array of bytes.
	 */
	static byte[] drainOutbound(EmbeddedChannel channel) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
			ByteBuf buffer = (ByteBuf) message;
			try {
				byte[] array = new byte[buffer.readableBytes()];
				buffer.readBytes(array);
				bytes.writeBytes(array);
			}
			finally {
				buffer.release();
			}
		}
		return bytes.toByteArray();
	}

	/**
	 * Parse the content of a {@code PARAMS} or {@code GET_VALUES} record on its own, as php-fpm does.
	 */
	Map<String, String> pairs() {
		return FastCgiNameValuePairs.decodeAll(Unpooled.wrappedBuffer(this.content));
	}

}
