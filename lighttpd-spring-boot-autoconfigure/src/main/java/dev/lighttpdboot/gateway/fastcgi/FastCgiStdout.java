package dev.lighttpdboot.gateway.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A piece of the response stream of a request, CGI headers then body: the content of one {@code STDOUT} record,
 * or a part of it, as it arrived. The empty record that ends the stream is not a message; {@link FastCgiEndRequest}
 * ends the response.
 */
public final class FastCgiStdout extends DefaultByteBufHolder implements FastCgiResponsePart {

	private final int requestId;

	/**
	 * Create a piece of the stream; the new message owns the buffer.
	 * @param requestId the request id
	 * @param content the bytes
	 */
	public FastCgiStdout(int requestId, ByteBuf content) {
		super(content);
		this.requestId = requestId;
	}

	/**
	 * Return the request id.
	 */
	public int requestId() {
		return this.requestId;
	}

	@Override
	public FastCgiStdout replace(ByteBuf content) {
		return new FastCgiStdout(this.requestId, content);
	}

	@Override
	public FastCgiStdout copy() {
		return (FastCgiStdout) super.copy();
	}

	@Override
	public FastCgiStdout duplicate() {
		return (FastCgiStdout) super.duplicate();
	}

	@Override
	public FastCgiStdout retainedDuplicate() {
		return (FastCgiStdout) super.retainedDuplicate();
	}

	@Override
	public FastCgiStdout retain() {
		super.retain();
		return this;
	}

	@Override
	public FastCgiStdout retain(int increment) {
		super.retain(increment);
		return this;
	}

	@Override
	public FastCgiStdout touch() {
		super.touch();
		return this;
	}

	@Override
	public FastCgiStdout touch(Object hint) {
		super.touch(hint);
		return this;
	}

	@Override
	public boolean equals(Object other) {
		return super.equals(other) && ((FastCgiStdout) other).requestId == this.requestId;
	}

	@Override
	public int hashCode() {
		return 31 * super.hashCode() + this.requestId;
	}

	@Override
	public String toString() {
		return "FastCgiStdout[requestId=" + this.requestId + ", " + contentToString() + "]";
	}

}
