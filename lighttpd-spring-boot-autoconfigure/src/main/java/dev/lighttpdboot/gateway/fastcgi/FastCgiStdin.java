package dev.lighttpdboot.gateway.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A piece of the request body: as many {@code STDIN} records as the content needs, sliced, not copied. Empty
 * content is the end of the body, one empty {@code STDIN} record, which php-fpm waits for even when there is no
 * body at all.
 */
public final class FastCgiStdin extends DefaultByteBufHolder implements FastCgiRequestPart {

	private final int requestId;

	/**
	 * Create a piece of body; the new message owns the buffer.
	 * @param requestId the request id, 1 to 65535
	 * @param content the bytes, empty for the end of the body
	 */
	public FastCgiStdin(int requestId, ByteBuf content) {
		super(content);
		this.requestId = FastCgiRecordHeader.checkRequestId(requestId);
	}

	/**
	 * Return the end of the body of a request.
	 */
	public static FastCgiStdin endOfStream(int requestId) {
		return new FastCgiStdin(requestId, Unpooled.EMPTY_BUFFER);
	}

	/**
	 * Return the request id.
	 */
	public int requestId() {
		return this.requestId;
	}

	/**
	 * Return whether this is the end of the body, with no content.
	 */
	public boolean isEndOfStream() {
		return !content().isReadable();
	}

	@Override
	public FastCgiStdin replace(ByteBuf content) {
		return new FastCgiStdin(this.requestId, content);
	}

	@Override
	public FastCgiStdin copy() {
		return (FastCgiStdin) super.copy();
	}

	@Override
	public FastCgiStdin duplicate() {
		return (FastCgiStdin) super.duplicate();
	}

	@Override
	public FastCgiStdin retainedDuplicate() {
		return (FastCgiStdin) super.retainedDuplicate();
	}

	@Override
	public FastCgiStdin retain() {
		super.retain();
		return this;
	}

	@Override
	public FastCgiStdin retain(int increment) {
		super.retain(increment);
		return this;
	}

	@Override
	public FastCgiStdin touch() {
		super.touch();
		return this;
	}

	@Override
	public FastCgiStdin touch(Object hint) {
		super.touch(hint);
		return this;
	}

	@Override
	public boolean equals(Object other) {
		return super.equals(other) && ((FastCgiStdin) other).requestId == this.requestId;
	}

	@Override
	public int hashCode() {
		return 31 * super.hashCode() + this.requestId;
	}

	@Override
	public String toString() {
		return "FastCgiStdin[requestId=" + this.requestId + ", " + contentToString() + "]";
	}

}
