package dev.lighttpdboot.gateway.fastcgi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * What a decoder emitted, read off a channel with every buffer copied and released, so that tests compare plain
 * values and leak nothing.
 */
final class ReceivedParts {

	private ReceivedParts() {
	}

	/**
	 * Read every inbound message, turning {@code STDOUT} and {@code STDERR} pieces into {@link Piece}s.
	 */
	static List<Object> drain(EmbeddedChannel channel) {
		List<Object> parts = new ArrayList<>();
		for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
			parts.add(valueOf(message));
		}
		return parts;
	}

	/**
	 * Read every inbound message and join pieces of the same stream that follow each other, so that a response
	 * fed one byte at a time compares equal to the same response fed whole.
	 */
	static List<Object> drainJoined(EmbeddedChannel channel) {
		List<Object> joined = new ArrayList<>();
		for (Object part : drain(channel)) {
			int last = joined.size() - 1;
			if (part instanceof Piece piece && last >= 0 && joined.get(last) instanceof Piece previous
					&& previous.stream() == piece.stream() && previous.requestId() == piece.requestId()) {
				joined.set(last, new Piece(piece.stream(), piece.requestId(), previous.content() + piece.content()));
			}
			else {
				joined.add(part);
			}
		}
		return joined;
	}

	private static Object valueOf(Object message) {
		if (message instanceof ByteBufHolder holder) {
			try {
				ByteBuf content = holder.content();
				String text = content.toString(StandardCharsets.ISO_8859_1);
				if (message instanceof FastCgiStdout stdout) {
					return new Piece(FastCgiRecordType.STDOUT, stdout.requestId(), text);
				}
				if (message instanceof FastCgiStderr stderr) {
					return new Piece(FastCgiRecordType.STDERR, stderr.requestId(), text);
				}
				throw new AssertionError("Unexpected message " + message + ": " + ByteBufUtil.hexDump(content));
			}
			finally {
				holder.release();
			}
		}
		return message;
	}

	/**
	 * Content of a {@code STDOUT} or {@code STDERR} stream, as ISO-8859-1 text.
	 */
	record Piece(FastCgiRecordType stream, int requestId, String content) {

		static Piece stdout(int requestId, String content) {
			return new Piece(FastCgiRecordType.STDOUT, requestId, content);
		}

		static Piece stderr(int requestId, String content) {
			return new Piece(FastCgiRecordType.STDERR, requestId, content);
		}

	}

}
