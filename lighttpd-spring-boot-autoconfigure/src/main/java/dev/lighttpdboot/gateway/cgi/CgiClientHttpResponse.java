package dev.lighttpdboot.gateway.cgi;

import dev.lighttpdboot.gateway.GatewayResponse;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * A FastCGI response as {@code WebClient} reads it: the CGI head's status and headers, cookies parsed from
 * {@code Set-Cookie}, and the body streaming from the backend.
 */
final class CgiClientHttpResponse implements ClientHttpResponse {

	private final GatewayResponse response;

	CgiClientHttpResponse(GatewayResponse response) {
		this.response = response;
	}

	@Override
	public HttpStatusCode getStatusCode() {
		return this.response.head().status();
	}

	@Override
	public MultiValueMap<String, ResponseCookie> getCookies() {
		MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
		for (String header : this.response.head().headers().getOrEmpty(HttpHeaders.SET_COOKIE)) {
			String pair = header.split(";", 2)[0];
			int equals = pair.indexOf('=');
			if (equals > 0) {
				String name = pair.substring(0, equals).trim();
				cookies.add(name, ResponseCookie.from(name, pair.substring(equals + 1).trim()).build());
			}
		}
		return cookies;
	}

	@Override
	public Flux<DataBuffer> getBody() {
		return this.response.body();
	}

	@Override
	public HttpHeaders getHeaders() {
		return this.response.head().headers();
	}

}
