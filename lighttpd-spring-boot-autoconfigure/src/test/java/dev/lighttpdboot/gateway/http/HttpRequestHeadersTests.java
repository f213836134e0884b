package dev.lighttpdboot.gateway.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link HttpRequestHeaders} sends an HTTP backend: the client's fields in their spelling, without the
 * hop-by-hop ones, with the forwarded fields of RFC 7239 and the de-facto X-Forwarded-* ones.
 */
class HttpRequestHeadersTests {

	@Test
	void anIpv6ClientIsQuotedAndBracketedInForwarded() throws UnknownHostException {
		InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("2001:db8:cafe::17"), 4711);
		assertThat(HttpRequestHeaders.forwardedElement(client, "example.com", "https"))
			.isEqualTo("for=\"[2001:db8:cafe::17]\";host=example.com;proto=https");
	}

	@Test
	void anIpv4ClientIsAToken() throws UnknownHostException {
		InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("192.0.2.43"), 80);
		assertThat(HttpRequestHeaders.forwardedElement(client, "example.com:8080", "http"))
			.isEqualTo("for=192.0.2.43;host=\"example.com:8080\";proto=http");
	}

	@Test
	void anUnknownClientIsUnknown() {
		assertThat(HttpRequestHeaders.forwardedElement(null, null, "http")).isEqualTo("for=unknown;proto=http");
	}

	@Test
	void fieldsKeepTheirSpellingAndTheHopByHopOnesGo() throws UnknownHostException {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Host", "example.com");
		headers.add("x-lower-Case", "1");
		headers.add("Connection", "X-Gone, close");
		headers.add("X-Gone", "2");
		headers.add("Transfer-Encoding", "chunked");
		headers.add("Expect", "100-continue");
		headers.add("Upgrade", "websocket");
		headers.add("Cookie", "a=1");
		headers.add("Cookie", "b=2");
		headers.add("X-Forwarded-For", "198.51.100.1");
		GatewayRequest request = new GatewayRequest(HttpMethod.POST, "/x", headers,
				new InetSocketAddress(InetAddress.getByName("192.0.2.9"), 5000), null, "https", "example.com",
				"HTTP/1.1", "/x", SpooledBody.EMPTY, null);
		List<Map.Entry<String, String>> sent = new ArrayList<>();
		HttpRequestHeaders.write(request, "backend:9292", 12, (name, value) -> sent.add(Map.entry(name, value)));
		assertThat(sent).containsExactly(Map.entry("x-lower-Case", "1"), Map.entry("Cookie", "a=1"),
				Map.entry("Cookie", "b=2"), Map.entry("Host", "backend:9292"), Map.entry("Content-Length", "12"),
				Map.entry("X-Forwarded-For", "198.51.100.1, 192.0.2.9"), Map.entry("X-Forwarded-Proto", "https"),
				Map.entry("X-Forwarded-Host", "example.com"),
				Map.entry("Forwarded", "for=192.0.2.9;host=example.com;proto=https"));
	}

}
