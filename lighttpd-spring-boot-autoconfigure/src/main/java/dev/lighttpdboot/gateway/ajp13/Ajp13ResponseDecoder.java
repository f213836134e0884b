package dev.lighttpdboot.gateway.ajp13;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Reads the packets a container sends ({@code 'A' 'B'}, a 2-byte length, the payload) as {@link Ajp13Packet}s.
 * Body chunks are slices of the socket's buffers, not copies. A packet longer than the packet size, an unknown
 * type or a payload that does not parse gives one {@link Ajp13Packet.Malformed}, after which everything is
 * discarded: the connection is closed by whoever reads it.
 */
final class Ajp13ResponseDecoder extends ByteToMessageDecoder {

	private final int packetSize;

	private boolean failed;

	/**
	 * Create a decoder.
	 * @param packetSize the largest packet accepted, header included
	 */
	Ajp13ResponseDecoder(int packetSize) {
		this.packetSize = packetSize;
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		if (this.failed) {
			in.skipBytes(in.readableBytes());
			return;
		}
		if (in.readableBytes() < Ajp13.HEADER_LENGTH) {
			return;
		}
		int start = in.readerIndex();
		int magic = in.getUnsignedShort(start);
		int length = in.getUnsignedShort(start + 2);
		if (magic != Ajp13.FROM_CONTAINER) {
			fail(in, out, "no AJP13 packet from a container (starts with 0x" + Integer.toHexString(magic) + ")");
			return;
		}
		if (length == 0 || length > this.packetSize - Ajp13.HEADER_LENGTH) {
			fail(in, out, "a packet of " + length + " bytes (packet size " + this.packetSize + ")");
			return;
		}
		if (in.readableBytes() < Ajp13.HEADER_LENGTH + length) {
			return;
		}
		in.skipBytes(Ajp13.HEADER_LENGTH);
		ByteBuf payload = in.readSlice(length);
		int type = payload.readUnsignedByte();
		try {
			Ajp13Packet packet = switch (type) {
				case Ajp13.SEND_BODY_CHUNK -> bodyChunk(payload);
				case Ajp13.SEND_HEADERS -> headers(payload);
				case Ajp13.END_RESPONSE -> new Ajp13Packet.EndResponse(payload.isReadable() && payload.readByte() == 1);
				case Ajp13.GET_BODY_CHUNK -> new Ajp13Packet.GetBodyChunk(payload.readUnsignedShort());
				case Ajp13.CPONG -> new Ajp13Packet.CPong();
				default -> null;
			};
			if (packet == null) {
				fail(in, out, "unknown packet type " + type);
				return;
			}
			out.add(packet);
		}
		catch (IndexOutOfBoundsException | MalformedPacketException ex) {
			fail(in, out, "a packet of type " + type + " that does not parse (" + ex.getMessage() + ")");
		}
	}

	private static Ajp13Packet bodyChunk(ByteBuf payload) {
		int length = payload.readUnsignedShort();
		if (length > payload.readableBytes()) {
			throw new MalformedPacketException("a body chunk of " + length + " bytes in a shorter packet");
		}
		// Tomcat ends the chunk with a NUL, which the packet length includes: it is not part of the body.
		return new Ajp13Packet.SendBodyChunk(payload.readRetainedSlice(length));
	}

	private static Ajp13Packet headers(ByteBuf payload) {
		int status = payload.readUnsignedShort();
		String reason = string(payload);
		int count = payload.readUnsignedShort();
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < count; i++) {
			int nameOrLength = payload.getUnsignedShort(payload.readerIndex());
			String name;
			if (nameOrLength >= 0xA000) {
				payload.skipBytes(2);
				name = Ajp13.responseHeaderName(nameOrLength);
				if (name == null) {
					throw new MalformedPacketException("unknown header code 0x" + Integer.toHexString(nameOrLength));
				}
			}
			else {
				name = string(payload);
			}
			String value = string(payload);
			if (name == null || name.isEmpty() || value == null) {
				throw new MalformedPacketException("a header without a name or value");
			}
			headers.add(name, value);
		}
		return new Ajp13Packet.SendHeaders(status, (reason != null) ? reason : "", headers);
	}

	private static @Nullable String string(ByteBuf payload) {
		int length = payload.readUnsignedShort();
		if (length == Ajp13.NULL_STRING) {
			return null;
		}
		String value = payload.toString(payload.readerIndex(), length, StandardCharsets.ISO_8859_1);
		payload.skipBytes(length);
		if (payload.readByte() != 0) {
			throw new MalformedPacketException("a string without its NUL");
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\r' || c == '\n' || c == 0) {
				// A line break in a header would let the container split the response it is proxied in.
				throw new MalformedPacketException("a control character in a string");
			}
		}
		return value;
	}

	private void fail(ByteBuf in, List<Object> out, String reason) {
		this.failed = true;
		in.skipBytes(in.readableBytes());
		out.add(new Ajp13Packet.Malformed(reason));
	}

	private static final class MalformedPacketException extends RuntimeException {

		MalformedPacketException(String message) {
			super(message, null, false, false);
		}

	}

}
