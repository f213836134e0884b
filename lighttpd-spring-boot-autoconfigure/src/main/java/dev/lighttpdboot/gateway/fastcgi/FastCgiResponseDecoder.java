package dev.lighttpdboot.gateway.fastcgi;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.jspecify.annotations.Nullable;

/**
 * Decodes the records a FastCGI application sends into {@link FastCgiResponsePart}s.
 * <p>{@code STDOUT} and {@code STDERR} content is streamed, never aggregated: whatever part of a record's content
 * has arrived is emitted at once, as a retained slice of the input, so a 64 KiB record can come out as several
 * {@link FastCgiStdout} messages. The empty record that ends either stream emits nothing; {@link FastCgiEndRequest}
 * marks the end of a response. Padding is skipped. Records a client has no use for are skipped whole: types FastCGI
 * 1.0 does not define and types only a client sends ({@code BEGIN_REQUEST}, {@code PARAMS}, {@code STDIN}, ...).
 * <p>Malformed input (a version other than 1, a short {@code END_REQUEST} or {@code UNKNOWN_TYPE} body, broken
 * name-value pairs in {@code GET_VALUES_RESULT}) emits one {@link FastCgiDecodingFailure}, after which all further
 * input is discarded. When the input ends in the middle of a record (inside a header, content or padding), a
 * {@link FastCgiDecodingFailure} with reason {@value #TRUNCATED_RECORD} is emitted after whatever content had
 * arrived. Input that ends between records emits nothing: whether a request was left without its
 * {@code END_REQUEST} is for the connection to tell.
 */
public final class FastCgiResponseDecoder extends ByteToMessageDecoder {

	/**
	 * The reason of the failure emitted when the input ends in the middle of a record.
	 */
	public static final String TRUNCATED_RECORD = "truncated record";

	private static final int END_REQUEST_BODY_LENGTH = 8;

	private static final int UNKNOWN_TYPE_BODY_LENGTH = 8;

	private State state = State.READ_HEADER;

	/**
	 * The type of the current record, {@code null} for a type FastCGI 1.0 does not define.
	 */
	private @Nullable FastCgiRecordType type;

	private int requestId;

	private int contentRemaining;

	private int paddingRemaining;

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		// Each step returns whether it finished its part of the record; if not, it needs more input.
		while (true) {
			boolean done = switch (this.state) {
				case READ_HEADER -> readHeader(in, out);
				case READ_CONTENT -> readContent(in, out);
				case READ_PADDING -> skipPadding(in);
				case BAD_MESSAGE -> {
					in.skipBytes(in.readableBytes());
					yield false;
				}
			};
			if (!done) {
				return;
			}
		}
	}

	@Override
	protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
		super.decodeLast(ctx, in, out);
		boolean betweenRecords = this.state == State.READ_HEADER && !in.isReadable();
		if (this.state != State.BAD_MESSAGE && !betweenRecords) {
			fail(in, out, TRUNCATED_RECORD);
		}
	}

	private boolean readHeader(ByteBuf in, List<Object> out) {
		if (in.readableBytes() < FastCgiRecordHeader.LENGTH) {
			return false;
		}
		int start = in.readerIndex();
		int version = in.getUnsignedByte(start);
		if (version != FastCgiRecordHeader.VERSION) {
			fail(in, out, "FastCGI version " + version + " instead of 1");
			return false;
		}
		this.type = FastCgiRecordType.of(in.getUnsignedByte(start + 1));
		this.requestId = in.getUnsignedShort(start + 2);
		this.contentRemaining = in.getUnsignedShort(start + 4);
		this.paddingRemaining = in.getUnsignedByte(start + 6);
		in.skipBytes(FastCgiRecordHeader.LENGTH);
		this.state = State.READ_CONTENT;
		return true;
	}

	private boolean readContent(ByteBuf in, List<Object> out) {
		if (this.type == null) {
			return skipContent(in);
		}
		return switch (this.type) {
			case STDOUT, STDERR -> streamContent(in, out);
			case END_REQUEST, GET_VALUES_RESULT, UNKNOWN_TYPE -> readWholeContent(in, out, this.type);
			default -> skipContent(in);
		};
	}

	private boolean streamContent(ByteBuf in, List<Object> out) {
		int length = Math.min(in.readableBytes(), this.contentRemaining);
		if (length > 0) {
			ByteBuf piece = in.readRetainedSlice(length);
			out.add((this.type == FastCgiRecordType.STDOUT) ? new FastCgiStdout(this.requestId, piece)
					: new FastCgiStderr(this.requestId, piece));
			this.contentRemaining -= length;
		}
		return endOfContent();
	}

	private boolean readWholeContent(ByteBuf in, List<Object> out, FastCgiRecordType type) {
		if (in.readableBytes() < this.contentRemaining) {
			return false;
		}
		ByteBuf content = in.readSlice(this.contentRemaining);
		this.contentRemaining = 0;
		FastCgiResponsePart part = switch (type) {
			case END_REQUEST -> endRequest(content);
			case GET_VALUES_RESULT -> getValuesResult(content);
			default -> unknownType(content);
		};
		if (part instanceof FastCgiDecodingFailure failure) {
			fail(in, out, failure.reason());
			return false;
		}
		out.add(part);
		return endOfContent();
	}

	private boolean skipContent(ByteBuf in) {
		int length = Math.min(in.readableBytes(), this.contentRemaining);
		in.skipBytes(length);
		this.contentRemaining -= length;
		return endOfContent();
	}

	private boolean endOfContent() {
		if (this.contentRemaining > 0) {
			return false;
		}
		this.state = State.READ_PADDING;
		return true;
	}

	private boolean skipPadding(ByteBuf in) {
		int length = Math.min(in.readableBytes(), this.paddingRemaining);
		in.skipBytes(length);
		this.paddingRemaining -= length;
		if (this.paddingRemaining > 0) {
			return false;
		}
		this.state = State.READ_HEADER;
		return true;
	}

	private FastCgiResponsePart endRequest(ByteBuf content) {
		if (content.readableBytes() < END_REQUEST_BODY_LENGTH) {
			return new FastCgiDecodingFailure("END_REQUEST body too short: " + content.readableBytes() + " of "
					+ END_REQUEST_BODY_LENGTH + " bytes");
		}
		long appStatus = content.readUnsignedInt();
		ProtocolStatus protocolStatus = ProtocolStatus.of(content.readUnsignedByte());
		return new FastCgiEndRequest(this.requestId, appStatus, protocolStatus);
	}

	private static FastCgiResponsePart getValuesResult(ByteBuf content) {
		try {
			return new FastCgiGetValuesResult(FastCgiNameValuePairs.decodeAll(content));
		}
		catch (IllegalArgumentException ex) {
			return new FastCgiDecodingFailure("Malformed GET_VALUES_RESULT: " + ex.getMessage());
		}
	}

	private static FastCgiResponsePart unknownType(ByteBuf content) {
		if (content.readableBytes() < UNKNOWN_TYPE_BODY_LENGTH) {
			return new FastCgiDecodingFailure("UNKNOWN_TYPE body too short: " + content.readableBytes() + " of "
					+ UNKNOWN_TYPE_BODY_LENGTH + " bytes");
		}
		return new FastCgiUnknownType(content.readUnsignedByte());
	}

	/**
	 * Emit a failure and discard the rest of the input: once framing is lost, nothing after it can be trusted.
	 */
	private void fail(ByteBuf in, List<Object> out, String reason) {
		in.skipBytes(in.readableBytes());
		this.state = State.BAD_MESSAGE;
		out.add(new FastCgiDecodingFailure(reason));
	}

	private enum State {

		READ_HEADER, READ_CONTENT, READ_PADDING, BAD_MESSAGE

	}

}
