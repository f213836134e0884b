package dev.lighttpdboot.gateway.fastcgi;

import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;

/**
 * Encodes {@link FastCgiRequestPart}s into FastCGI records.
 * <p>Records are padded to a multiple of 8 bytes and never carry more than 65535 bytes of content and padding, see
 * {@link FastCgiRecordHeader}. {@code STDIN} content is not copied: each record is written as a small header
 * buffer followed by a retained slice of the message's content.
 * <p>A message that cannot be encoded (a name-value pair longer than a record, a name or value that is not
 * bytes-as-chars, too many names in {@code GET_VALUES}) fails its write promise with an
 * {@link IllegalArgumentException}, and nothing of it is written.
 */
public final class FastCgiRequestEncoder extends MessageToMessageEncoder<FastCgiRequestPart> {

	private static final int BEGIN_REQUEST_BODY_LENGTH = 8;

	private static final int BEGIN_REQUEST_RECORD_LENGTH = FastCgiRecordHeader.LENGTH + BEGIN_REQUEST_BODY_LENGTH;

	private static final int KEEP_CONN = 1;

	public FastCgiRequestEncoder() {
		super(FastCgiRequestPart.class);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		try {
			super.write(ctx, msg, promise);
		}
		catch (EncoderException ex) {
			// Fail the promise with the caller's mistake itself, not Netty's wrapper around it.
			if (ex.getCause() instanceof IllegalArgumentException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	@Override
	protected void encode(ChannelHandlerContext ctx, FastCgiRequestPart msg, List<Object> out) {
		if (msg instanceof FastCgiStdin stdin) {
			encodeStdin(ctx, stdin, out);
		}
		else if (msg instanceof FastCgiRequestHead head) {
			out.add(encodeHead(ctx, head));
		}
		else if (msg instanceof FastCgiParams params) {
			out.add(encodeParams(ctx, params, 0, 0));
		}
		else if (msg instanceof FastCgiBeginRequest begin) {
			out.add(encodeBeginRequest(ctx, begin));
		}
		else if (msg instanceof FastCgiAbortRequest abort) {
			ByteBuf buffer = ctx.alloc().buffer(FastCgiRecordHeader.LENGTH);
			FastCgiRecordHeader.write(buffer, FastCgiRecordType.ABORT_REQUEST, abort.requestId(), 0);
			out.add(buffer);
		}
		else if (msg instanceof FastCgiGetValues getValues) {
			out.add(encodeGetValues(ctx, getValues));
		}
		else {
			throw new IllegalArgumentException("Unsupported FastCGI request part " + msg.getClass().getName());
		}
	}

	private static ByteBuf encodeBeginRequest(ChannelHandlerContext ctx, FastCgiBeginRequest begin) {
		ByteBuf buffer = ctx.alloc().buffer(BEGIN_REQUEST_RECORD_LENGTH);
		writeBeginRequest(buffer, begin);
		return buffer;
	}

	private static void writeBeginRequest(ByteBuf buffer, FastCgiBeginRequest begin) {
		FastCgiRecordHeader.write(buffer, FastCgiRecordType.BEGIN_REQUEST, begin.requestId(),
				BEGIN_REQUEST_BODY_LENGTH);
		buffer.writeShort(begin.role().code());
		buffer.writeByte(begin.keepConnection() ? KEEP_CONN : 0);
		buffer.writeZero(5);
	}

	private static ByteBuf encodeHead(ChannelHandlerContext ctx, FastCgiRequestHead head) {
		// PARAMS are sized (and checked) first; BEGIN_REQUEST goes in front of them and the empty STDIN after them,
		// in the same buffer.
		ByteBuf buffer = encodeParams(ctx, head.params(), BEGIN_REQUEST_RECORD_LENGTH,
				head.bodiless() ? FastCgiRecordHeader.LENGTH : 0);
		int paramsEnd = buffer.writerIndex();
		buffer.writerIndex(0);
		writeBeginRequest(buffer, head.begin());
		buffer.writerIndex(paramsEnd);
		if (head.bodiless()) {
			FastCgiRecordHeader.write(buffer, FastCgiRecordType.STDIN, head.requestId(), 0);
		}
		return buffer;
	}

	private static void encodeStdin(ChannelHandlerContext ctx, FastCgiStdin stdin, List<Object> out) {
		ByteBuf content = stdin.content();
		int remaining = content.readableBytes();
		if (remaining == 0) {
			ByteBuf header = ctx.alloc().buffer(FastCgiRecordHeader.LENGTH);
			FastCgiRecordHeader.write(header, FastCgiRecordType.STDIN, stdin.requestId(), 0);
			out.add(header);
			return;
		}
		int index = content.readerIndex();
		while (remaining > 0) {
			int length = Math.min(remaining, FastCgiRecordHeader.MAX_STREAM_CHUNK);
			ByteBuf header = ctx.alloc().buffer(FastCgiRecordHeader.LENGTH);
			int padding = FastCgiRecordHeader.write(header, FastCgiRecordType.STDIN, stdin.requestId(), length);
			out.add(header);
			// The encoder releases the message after encode: the slice keeps the content alive until written.
			out.add(content.retainedSlice(index, length));
			if (padding > 0) {
				out.add(ctx.alloc().buffer(padding).writeZero(padding));
			}
			index += length;
			remaining -= length;
		}
	}

	/**
	 * Encode a PARAMS stream after {@code before} bytes left for the caller at the start of the buffer, in a buffer
	 * with room for {@code after} more bytes.
	 */
	private static ByteBuf encodeParams(ChannelHandlerContext ctx, FastCgiParams params, int before, int after) {
		int requestId = params.requestId();
		// Check the sizes first, so that a pair too long for any record fails before anything is allocated; the
		// estimate allows for a header and padding per pair, a little more than the records take.
		long estimate = FastCgiRecordHeader.LENGTH + (long) before + after;
		for (Map.Entry<String, String> param : params.params()) {
			estimate += checkedPairLength(param.getKey(), param.getValue()) + FastCgiRecordHeader.LENGTH + 7;
		}
		if (estimate > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("Parameters of about " + estimate + " bytes are too many to send");
		}
		ByteBuf buffer = ctx.alloc().buffer((int) estimate);
		try {
			buffer.writerIndex(before);
			// php-fpm parses each PARAMS record on its own: a pair never straddles two records.
			int headerIndex = -1;
			for (Map.Entry<String, String> param : params.params()) {
				int length = FastCgiNameValuePairs.encodedLength(param.getKey(), param.getValue());
				if (headerIndex >= 0
						&& contentLength(buffer, headerIndex) + length > FastCgiRecordHeader.MAX_STREAM_CHUNK) {
					finishRecord(buffer, headerIndex, FastCgiRecordType.PARAMS, requestId);
					headerIndex = -1;
				}
				if (headerIndex < 0) {
					headerIndex = buffer.writerIndex();
					buffer.writeZero(FastCgiRecordHeader.LENGTH);
				}
				FastCgiNameValuePairs.encode(param.getKey(), param.getValue(), buffer);
			}
			if (headerIndex >= 0) {
				finishRecord(buffer, headerIndex, FastCgiRecordType.PARAMS, requestId);
			}
			FastCgiRecordHeader.write(buffer, FastCgiRecordType.PARAMS, requestId, 0);
			return buffer;
		}
		catch (RuntimeException ex) {
			buffer.release();
			throw ex;
		}
	}

	private static ByteBuf encodeGetValues(ChannelHandlerContext ctx, FastCgiGetValues getValues) {
		int length = 0;
		for (String name : getValues.names()) {
			length += FastCgiNameValuePairs.encodedLength(name, "");
			if (length > FastCgiRecordHeader.MAX_CONTENT_LENGTH) {
				throw new IllegalArgumentException("GET_VALUES names do not fit in one record");
			}
		}
		ByteBuf buffer = ctx.alloc().buffer(FastCgiRecordHeader.LENGTH + length + 7);
		try {
			int padding = FastCgiRecordHeader.write(buffer, FastCgiRecordType.GET_VALUES,
					FastCgiRecordHeader.NULL_REQUEST_ID, length);
			for (String name : getValues.names()) {
				FastCgiNameValuePairs.encode(name, "", buffer);
			}
			return buffer.writeZero(padding);
		}
		catch (RuntimeException ex) {
			buffer.release();
			throw ex;
		}
	}

	private static int checkedPairLength(String name, String value) {
		int length = FastCgiNameValuePairs.encodedLength(name, value);
		if (length > FastCgiRecordHeader.MAX_CONTENT_LENGTH) {
			throw new IllegalArgumentException("Parameter " + abbreviate(name) + " takes " + length
					+ " bytes, more than the 65535 bytes a FastCGI record holds");
		}
		return length;
	}

	private static int contentLength(ByteBuf buffer, int headerIndex) {
		return buffer.writerIndex() - headerIndex - FastCgiRecordHeader.LENGTH;
	}

	private static void finishRecord(ByteBuf buffer, int headerIndex, FastCgiRecordType type, int requestId) {
		int contentLength = contentLength(buffer, headerIndex);
		int writerIndex = buffer.writerIndex();
		buffer.writerIndex(headerIndex);
		int padding = FastCgiRecordHeader.write(buffer, type, requestId, contentLength);
		buffer.writerIndex(writerIndex).writeZero(padding);
	}

	private static String abbreviate(String name) {
		return (name.length() <= 64) ? name : name.substring(0, 64) + "...";
	}

}
