package dev.lighttpdboot.gateway.ajp13;

import java.util.Locale;

import org.jspecify.annotations.Nullable;
import java.util.Map;

import org.springframework.http.HttpMethod;

/**
 * The codes of AJP13 (the Apache JServ Protocol 1.3, as Tomcat's AJP connector reads it): packet prefixes, method
 * codes, the coded header names and the request attributes.
 */
final class Ajp13 {

	/** The first two bytes of a packet to the container. */
	static final int TO_CONTAINER = 0x1234;

	/** The first two bytes of a packet from the container: {@code 'A' 'B'}. */
	static final int FROM_CONTAINER = 0x4142;

	/** The default largest packet, header included (Tomcat's {@code packetSize}, mod_jk's max_packet_size). */
	static final int DEFAULT_PACKET_SIZE = 8192;

	/** The largest packet Tomcat accepts. */
	static final int MAX_PACKET_SIZE = 65536;

	/** The length of a packet's header: magic and length. */
	static final int HEADER_LENGTH = 4;

	/** A string length that means null: no bytes follow. */
	static final int NULL_STRING = 0xFFFF;

	// Packets to the container.
	static final int FORWARD_REQUEST = 2;

	static final int CPING = 10;

	// Packets from the container.
	static final int SEND_BODY_CHUNK = 3;

	static final int SEND_HEADERS = 4;

	static final int END_RESPONSE = 5;

	static final int GET_BODY_CHUNK = 6;

	static final int CPONG = 9;

	// Request attributes.
	static final int ATTRIBUTE_QUERY_STRING = 0x05;

	static final int ATTRIBUTE_REQ_ATTRIBUTE = 0x0A;

	static final int ATTRIBUTE_SECRET = 0x0C;

	static final int ATTRIBUTE_STORED_METHOD = 0x0D;

	static final int ATTRIBUTES_DONE = 0xFF;

	/** The method code that says "the method is in the stored_method attribute". */
	static final int METHOD_STORED = 0xFF;

	private static final Map<String, Integer> METHODS = Map.ofEntries(Map.entry("OPTIONS", 1), Map.entry("GET", 2),
			Map.entry("HEAD", 3), Map.entry("POST", 4), Map.entry("PUT", 5), Map.entry("DELETE", 6),
			Map.entry("TRACE", 7), Map.entry("PROPFIND", 8), Map.entry("PROPPATCH", 9), Map.entry("MKCOL", 10),
			Map.entry("COPY", 11), Map.entry("MOVE", 12), Map.entry("LOCK", 13), Map.entry("UNLOCK", 14),
			Map.entry("ACL", 15), Map.entry("REPORT", 16), Map.entry("VERSION-CONTROL", 17), Map.entry("CHECKIN", 18),
			Map.entry("CHECKOUT", 19), Map.entry("UNCHECKOUT", 20), Map.entry("SEARCH", 21),
			Map.entry("MKWORKSPACE", 22), Map.entry("UPDATE", 23), Map.entry("LABEL", 24), Map.entry("MERGE", 25),
			Map.entry("BASELINE-CONTROL", 26), Map.entry("MKACTIVITY", 27));

	/** Request header names with a code, lower case. */
	private static final Map<String, Integer> REQUEST_HEADERS = Map.ofEntries(Map.entry("accept", 0xA001),
			Map.entry("accept-charset", 0xA002), Map.entry("accept-encoding", 0xA003),
			Map.entry("accept-language", 0xA004), Map.entry("authorization", 0xA005), Map.entry("connection", 0xA006),
			Map.entry("content-type", 0xA007), Map.entry("content-length", 0xA008), Map.entry("cookie", 0xA009),
			Map.entry("cookie2", 0xA00A), Map.entry("host", 0xA00B), Map.entry("pragma", 0xA00C),
			Map.entry("referer", 0xA00D), Map.entry("user-agent", 0xA00E));

	/** Response header names by code, from 0xA001 on. */
	private static final String[] RESPONSE_HEADERS = { "Content-Type", "Content-Language", "Content-Length", "Date",
			"Last-Modified", "Location", "Set-Cookie", "Set-Cookie2", "Servlet-Engine", "Status", "WWW-Authenticate" };

	private Ajp13() {
	}

	/**
	 * Return the code of a method, or {@link #METHOD_STORED} for a method without one.
	 */
	static int methodCode(HttpMethod method) {
		Integer code = METHODS.get(method.name());
		return (code != null) ? code : METHOD_STORED;
	}

	/**
	 * Return the code of a request header name, or 0 if it has none.
	 */
	static int requestHeaderCode(String name) {
		Integer code = REQUEST_HEADERS.get(name.toLowerCase(Locale.ROOT));
		return (code != null) ? code : 0;
	}

	/**
	 * Return the response header name a code stands for, or {@code null} for an unknown code.
	 */
	static @Nullable String responseHeaderName(int code) {
		int index = code - 0xA001;
		return (index >= 0 && index < RESPONSE_HEADERS.length) ? RESPONSE_HEADERS[index] : null;
	}

}
