package dev.lighttpdboot.gateway.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A piece of the error stream of a request, what php-fpm logs for a script: the content of one {@code STDERR}
 * record, or a part of it, as it arrived. It may come between pieces of {@link FastCgiStdout}.
 */
public final class FastCgiStderr extends DefaultByteBufHolder implements FastCgiResponsePart {

	private final int requestId;

	/**
	 * Create a piece of the stream; the new message owns the buffer.
	 * @param requestId the request id
	 * @param content the bytes
	 */
	public FastCgiStderr(int requestId, ByteBuf content) {
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
	public FastCgiStderr replace(ByteBuf content) {
		return new FastCgiStderr(this.requestId, content);
	}

	@Override
	public FastCgiStderr copy() {
		return (FastCgiStderr) super.copy();
	}

	@Override
	public FastCgiStderr duplicate() {
		return (FastCgiStderr) super.duplicate();
	}

	@Override
	public FastCgiStderr retainedDuplicate() {
		return (FastCgiStderr) super.retainedDuplicate();
	}

	@Override
	public FastCgiStderr retain() {
		super.retain();
		return this;
	}

	@Override
	public FastCgiStderr retain(int increment) {
		super.retain(increment);
		return this;
	}

	@Override
	public FastCgiStderr touch() {
		super.touch();
		return this;
	}

	@Override
	public FastCgiStderr touch(Object hint) {
		super.touch(hint);
		return this;
	}

	@Override
	public boolean equals(Object other) {
		return super.equals(other) && ((FastCgiStderr) other).requestId == this.requestId;
	}

	@Override
	public int hashCode() {
		return 31 * super.hashCode() + this.requestId;
	}

	@Override
	public String toString() {
		return "FastCgiStderr[requestId=" + this.requestId + ", " + contentToString() + "]";
	}

}
