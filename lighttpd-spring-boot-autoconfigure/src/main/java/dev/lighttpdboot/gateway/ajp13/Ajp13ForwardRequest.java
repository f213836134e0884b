package dev.lighttpdboot.gateway.ajp13;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.lighttpdboot.gateway.GatewayRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Writes a {@link GatewayRequest} as an AJP13 FORWARD_REQUEST packet, as Tomcat's AJP connector reads it:
 * <ul>
 * <li>the method as its code (a method without one as code 0xFF and the {@code stored_method} attribute), the
 * protocol, the request path as received (still percent-encoded: Tomcat decodes and normalises it itself, as for
 * its HTTP connector), the client's address (as remote_addr and remote_host: no DNS lookup), the server name and
 * port the request named, and whether it came over TLS;</li>
 * <li>the headers as received, coded where AJP13 has a code, without the hop-by-hop ones, with the
 * {@code Content-Length} of the spooled body (AJP13 has no chunked requests);</li>
 * <li>the attributes: {@code query_string} when there is one, {@code secret} when the route has one, and the
 * request attributes {@code AJP_REMOTE_PORT} and {@code AJP_LOCAL_ADDR} (which Tomcat turns into
 * {@code getRemotePort()} and {@code getLocalAddr()}).</li>
 * </ul>
 * The whole packet must fit one AJP13 packet: Tomcat reads no continuation.
 */
final class Ajp13ForwardRequest {

	/** Hop-by-hop headers (RFC 9110 7.6.1) and the framing this packet replaces. */
	private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te",
			"trailer", "transfer-encoding", "upgrade", "content-length");

	private Ajp13ForwardRequest() {
	}

	/**
	 * Encode a request.
	 * @param request the request
	 * @param settings the secret and the packet size
	 * @return the whole packet, header included
	 * @throws Ajp13RequestTooLargeException if the request head does not fit one packet
	 */
	static byte[] encode(GatewayRequest request, Ajp13Settings settings) {
		Writer out = new Writer();
		out.writeShort(Ajp13.TO_CONTAINER);
		out.writeShort(0);
		out.write(Ajp13.FORWARD_REQUEST);
		int methodCode = Ajp13.methodCode(request.method());
		out.write(methodCode);
		out.writeString(request.serverProtocol());
		out.writeString(request.rawPath());
		String remoteAddress = hostAddress(request.remoteAddress());
		out.writeString(remoteAddress);
		out.writeString(remoteAddress);
		Authority server = Authority.of(request);
		out.writeString(server.host());
		out.writeShort(server.port());
		out.write(request.secure() ? 1 : 0);
		List<Map.Entry<String, String>> headers = headers(request);
		out.writeShort(headers.size());
		for (Map.Entry<String, String> header : headers) {
			int code = Ajp13.requestHeaderCode(header.getKey());
			if (code != 0) {
				out.writeShort(code);
			}
			else {
				out.writeString(header.getKey());
			}
			out.writeString(header.getValue());
		}
		if (!request.rawQuery().isEmpty()) {
			out.write(Ajp13.ATTRIBUTE_QUERY_STRING);
			out.writeString(request.rawQuery());
		}
		if (settings.secret() != null) {
			out.write(Ajp13.ATTRIBUTE_SECRET);
			out.writeString(settings.secret());
		}
		if (request.remoteAddress() != null) {
			out.write(Ajp13.ATTRIBUTE_REQ_ATTRIBUTE);
			out.writeString("AJP_REMOTE_PORT");
			out.writeString(Integer.toString(request.remoteAddress().getPort()));
		}
		String localAddress = hostAddress(request.localAddress());
		if (localAddress != null) {
			out.write(Ajp13.ATTRIBUTE_REQ_ATTRIBUTE);
			out.writeString("AJP_LOCAL_ADDR");
			out.writeString(localAddress);
		}
		if (methodCode == Ajp13.METHOD_STORED) {
			out.write(Ajp13.ATTRIBUTE_STORED_METHOD);
			out.writeString(request.method().name());
		}
		out.write(Ajp13.ATTRIBUTES_DONE);
		byte[] packet = out.toByteArray();
		int payload = packet.length - Ajp13.HEADER_LENGTH;
		if (packet.length > settings.packetSize()) {
			throw new Ajp13RequestTooLargeException("the request head needs " + packet.length
					+ " bytes as an AJP13 forward request, more than the packet size of " + settings.packetSize());
		}
		packet[2] = (byte) (payload >>> 8);
		packet[3] = (byte) payload;
		return packet;
	}

	private static List<Map.Entry<String, String>> headers(GatewayRequest request) {
		HttpHeaders received = request.headers();
		Set<String> named = new java.util.HashSet<>();
		for (String connection : received.getValuesAsList(HttpHeaders.CONNECTION)) {
			named.add(connection.trim().toLowerCase(Locale.ROOT));
		}
		List<Map.Entry<String, String>> headers = new ArrayList<>();
		received.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (NOT_FORWARDED.contains(lower) || named.contains(lower)) {
				return;
			}
			for (String value : values) {
				headers.add(Map.entry(name, value));
			}
		});
		long length = request.body().length();
		if (length > 0 || received.containsHeader(HttpHeaders.CONTENT_LENGTH)) {
			// The spooled body's exact length: a chunked upload arrives at Tomcat with a Content-Length.
			headers.add(Map.entry(HttpHeaders.CONTENT_LENGTH, Long.toString(length)));
		}
		return headers;
	}

	private static @Nullable String hostAddress(@Nullable InetSocketAddress address) {
		if (address == null) {
			return null;
		}
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	/**
	 * The server name and port the request named (its authority, else the address it reached).
	 */
	private record Authority(String host, int port) {

		static Authority of(GatewayRequest request) {
			int defaultPort = request.secure() ? 443 : 80;
			String authority = request.authority();
			if (authority != null && !authority.isEmpty()) {
				int colon = authority.lastIndexOf(':');
				int bracket = authority.lastIndexOf(']');
				if (colon > bracket && colon > 0) {
					String host = authority.substring(0, colon);
					try {
						return new Authority(host, Integer.parseInt(authority.substring(colon + 1)));
					}
					catch (NumberFormatException ex) {
						return new Authority(host, defaultPort);
					}
				}
				return new Authority(authority, (request.localAddress() != null) ? request.localAddress().getPort()
						: defaultPort);
			}
			InetSocketAddress local = request.localAddress();
			return (local != null) ? new Authority(local.getHostString(), local.getPort())
					: new Authority("localhost", defaultPort);
		}

	}

	/**
	 * Writes AJP13's types: bytes, 2-byte integers, strings (length, bytes, NUL; 0xFFFF for null).
	 */
	private static final class Writer extends ByteArrayOutputStream {

		Writer() {
			super(512);
		}

		void writeShort(int value) {
			write(value >>> 8);
			write(value);
		}

		void writeString(@Nullable String value) {
			if (value == null) {
				writeShort(Ajp13.NULL_STRING);
				return;
			}
			// Header values are byte strings: ISO-8859-1 gives each char back as the byte it was received as.
			byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
			if (bytes.length >= Ajp13.NULL_STRING) {
				throw new Ajp13RequestTooLargeException("a request string of " + bytes.length
						+ " bytes does not fit an AJP13 string");
			}
			writeShort(bytes.length);
			write(bytes, 0, bytes.length);
			write(0);
		}

	}

}
