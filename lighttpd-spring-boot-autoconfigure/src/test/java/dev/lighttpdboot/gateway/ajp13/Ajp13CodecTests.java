package dev.lighttpdboot.gateway.ajp13;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The AJP13 codec byte by byte: the forward request {@link Ajp13ForwardRequest} writes, and the packets
 * {@link Ajp13ResponseDecoder} reads, fed whole and one byte at a time.
 */
class Ajp13CodecTests {

	@Test
	void aGetIsOneForwardRequestPacket() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Host", "example.org");
		headers.add("X-A", "b");
		GatewayRequest request = new GatewayRequest(HttpMethod.GET, "/app/x%2Fy?q=1", headers,
				new InetSocketAddress("192.0.2.1", 5000), new InetSocketAddress("127.0.0.1", 8080), "http",
				"example.org", "HTTP/1.1", "/app/x%2Fy", SpooledBody.EMPTY, null);
		byte[] packet = Ajp13ForwardRequest.encode(request, new Ajp13Settings("pw", 8192));
		Bytes expected = new Bytes();
		expected.bytes(2, 2).string("HTTP/1.1").string("/app/x%2Fy").string("192.0.2.1").string("192.0.2.1")
			.string("example.org").shortInt(8080).bytes(0)
			.shortInt(2).shortInt(0xA00B).string("example.org").string("X-A").string("b")
			.bytes(0x05).string("q=1")
			.bytes(0x0C).string("pw")
			.bytes(0x0A).string("AJP_REMOTE_PORT").string("5000")
			.bytes(0x0A).string("AJP_LOCAL_ADDR").string("127.0.0.1")
			.bytes(0xFF);
		byte[] payload = expected.toByteArray();
		assertThat(packet).startsWith(0x12, 0x34, payload.length >>> 8, payload.length & 0xFF);
		assertThat(java.util.Arrays.copyOfRange(packet, 4, packet.length)).isEqualTo(payload);
	}

	@Test
	void aBodyGetsItsExactContentLengthAndAMethodWithoutCodeIsStored() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Transfer-Encoding", "chunked");
		GatewayRequest request = new GatewayRequest(HttpMethod.valueOf("PATCH"), "/p", headers, null, null, "https",
				null, "HTTP/2.0", "/p", SpooledBody.of(new byte[300]), null);
		byte[] packet = Ajp13ForwardRequest.encode(request, Ajp13Settings.DEFAULTS);
		Bytes expected = new Bytes();
		expected.bytes(2, 0xFF).string("HTTP/2.0").string("/p").nullString().nullString().string("localhost")
			.shortInt(443).bytes(1)
			.shortInt(1).shortInt(0xA008).string("300")
			.bytes(0x0D).string("PATCH")
			.bytes(0xFF);
		assertThat(java.util.Arrays.copyOfRange(packet, 4, packet.length)).isEqualTo(expected.toByteArray());
	}

	@Test
	void aRequestHeadLargerThanThePacketIsRefused() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-Big", "x".repeat(8200));
		GatewayRequest request = new GatewayRequest(HttpMethod.GET, "/", headers, null, null, "http", null,
				"HTTP/1.1", "/", SpooledBody.EMPTY, null);
		assertThatExceptionOfType(Ajp13RequestTooLargeException.class)
			.isThrownBy(() -> Ajp13ForwardRequest.encode(request, Ajp13Settings.DEFAULTS));
		assertThat(Ajp13ForwardRequest.encode(request, new Ajp13Settings(null, 16384))).hasSizeGreaterThan(8200);
	}

	@Test
	void theSecretIsNotInTheSettingsText() {
		assertThat(new Ajp13Settings("hunter2", 8192).toString()).doesNotContain("hunter2");
	}

	@Test
	void responsePacketsAreReadWholeAndByteByByte() {
		byte[] stream = concat(
				packet(new Bytes().bytes(4).shortInt(201).string("Created").shortInt(3).shortInt(0xA001)
					.string("text/plain").shortInt(0xA007).string("a=1").string("X-Custom").string("v")),
				packet(new Bytes().bytes(3).shortInt(2).bytes('h', 'i', 0)),
				packet(new Bytes().bytes(3).shortInt(0).bytes(0)),
				packet(new Bytes().bytes(6).shortInt(8186)),
				packet(new Bytes().bytes(9)),
				packet(new Bytes().bytes(5).bytes(1)));
		for (boolean byteByByte : new boolean[] { false, true }) {
			List<Object> packets = decode(stream, byteByByte);
			assertThat(packets).hasSize(6);
			Ajp13Packet.SendHeaders headers = (Ajp13Packet.SendHeaders) packets.get(0);
			assertThat(headers.status()).isEqualTo(201);
			assertThat(headers.reason()).isEqualTo("Created");
			assertThat(headers.headers().getFirst("Content-Type")).isEqualTo("text/plain");
			assertThat(headers.headers().getFirst("Set-Cookie")).isEqualTo("a=1");
			assertThat(headers.headers().getFirst("X-Custom")).isEqualTo("v");
			Ajp13Packet.SendBodyChunk chunk = (Ajp13Packet.SendBodyChunk) packets.get(1);
			assertThat(chunk.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
			chunk.release();
			Ajp13Packet.SendBodyChunk flush = (Ajp13Packet.SendBodyChunk) packets.get(2);
			assertThat(flush.content().isReadable()).isFalse();
			flush.release();
			assertThat(packets.get(3)).isEqualTo(new Ajp13Packet.GetBodyChunk(8186));
			assertThat(packets.get(4)).isEqualTo(new Ajp13Packet.CPong());
			assertThat(packets.get(5)).isEqualTo(new Ajp13Packet.EndResponse(true));
		}
	}

	@Test
	void endResponseWithoutReuseSaysClose() {
		assertThat(decode(packet(new Bytes().bytes(5).bytes(0)), false))
			.containsExactly(new Ajp13Packet.EndResponse(false));
	}

	@Test
	void whatIsNoContainerPacketIsMalformedOnce() {
		assertMalformed(new byte[] { 0x12, 0x34, 0, 1, 9 }, "no AJP13 packet");
		assertMalformed(new byte[] { 'A', 'B', (byte) 0x20, 0, 3 }, "packet size");
		assertMalformed(packet(new Bytes().bytes(42)), "unknown packet type");
		assertMalformed(packet(new Bytes().bytes(3).shortInt(10).bytes('h', 'i', 0)), "does not parse");
		assertMalformed(packet(new Bytes().bytes(4).shortInt(200).string("OK").shortInt(1).string("X-A")
			.string("a\r\nSet-Cookie: b")), "control character");
		assertMalformed(packet(new Bytes().bytes(4).shortInt(200).string("OK").shortInt(1).shortInt(0xA0FF)
			.string("v")), "unknown header code");
	}

	private static void assertMalformed(byte[] bytes, String reason) {
		List<Object> packets = decode(concat(bytes, packet(new Bytes().bytes(9))), false);
		assertThat(packets).hasSize(1);
		assertThat(((Ajp13Packet.Malformed) packets.get(0)).reason()).contains(reason);
	}

	private static List<Object> decode(byte[] bytes, boolean byteByByte) {
		EmbeddedChannel channel = new EmbeddedChannel(new Ajp13ResponseDecoder(8192));
		if (byteByByte) {
			for (byte b : bytes) {
				channel.writeInbound(Unpooled.wrappedBuffer(new byte[] { b }));
			}
		}
		else {
			channel.writeInbound(Unpooled.wrappedBuffer(bytes));
		}
		List<Object> packets = new ArrayList<>();
		for (Object packet; (packet = channel.readInbound()) != null;) {
			packets.add(packet);
		}
		channel.finishAndReleaseAll();
		return packets;
	}

	static byte[] packet(Bytes payload) {
		byte[] bytes = payload.toByteArray();
		return concat(new byte[] { 'A', 'B', (byte) (bytes.length >>> 8), (byte) bytes.length }, bytes);
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	static ByteBuf buffer(byte[] bytes) {
		return Unpooled.wrappedBuffer(bytes);
	}

	/** AJP13's types, written the slow obvious way. */
	static final class Bytes extends ByteArrayOutputStream {

		Bytes bytes(int... values) {
			for (int value : values) {
				write(value);
			}
			return this;
		}

		Bytes shortInt(int value) {
			return bytes(value >>> 8, value & 0xFF);
		}

		Bytes string(String value) {
			byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
			shortInt(bytes.length);
			writeBytes(bytes);
			return bytes(0);
		}

		Bytes nullString() {
			return shortInt(0xFFFF);
		}

	}

}
