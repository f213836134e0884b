package dev.lighttpdboot.gateway.ajp13;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

import org.springframework.http.HttpHeaders;

/**
 * A packet the container sent, as the {@link Ajp13ResponseDecoder} read it.
 */
sealed interface Ajp13Packet {

	/**
	 * SEND_HEADERS: the status and headers of the response.
	 * @param status the status code
	 * @param reason the reason phrase (not passed on: HTTP/2 has none, and Reactor Netty writes its own)
	 * @param headers the headers, names spelt out
	 */
	record SendHeaders(int status, String reason, HttpHeaders headers) implements Ajp13Packet {
	}

	/**
	 * SEND_BODY_CHUNK: a piece of the response body; empty means "flush", which needs nothing of a proxy that
	 * passes each piece on at once.
	 * @param content the bytes, a slice of the socket's buffer to be released by whoever takes it
	 */
	record SendBodyChunk(ByteBuf content) implements Ajp13Packet, ReferenceCounted {

		@Override
		public int refCnt() {
			return this.content.refCnt();
		}

		@Override
		public ReferenceCounted retain() {
			this.content.retain();
			return this;
		}

		@Override
		public ReferenceCounted retain(int increment) {
			this.content.retain(increment);
			return this;
		}

		@Override
		public ReferenceCounted touch() {
			this.content.touch();
			return this;
		}

		@Override
		public ReferenceCounted touch(Object hint) {
			this.content.touch(hint);
			return this;
		}

		@Override
		public boolean release() {
			return this.content.release();
		}

		@Override
		public boolean release(int decrement) {
			return this.content.release(decrement);
		}

	}

	/**
	 * END_RESPONSE: the response is complete.
	 * @param reuse whether the container keeps the connection for another request (1); 0 means it closes it
	 */
	record EndResponse(boolean reuse) implements Ajp13Packet {
	}

	/**
	 * GET_BODY_CHUNK: the container wants more of the request body.
	 * @param length the most bytes it wants
	 */
	record GetBodyChunk(int length) implements Ajp13Packet {
	}

	/**
	 * CPONG: the answer to a CPING.
	 */
	record CPong() implements Ajp13Packet {
	}

	/**
	 * Bytes that are no AJP13 packet from a container: the stream cannot be trusted any further.
	 * @param reason what was wrong
	 */
	record Malformed(String reason) implements Ajp13Packet {
	}

}
