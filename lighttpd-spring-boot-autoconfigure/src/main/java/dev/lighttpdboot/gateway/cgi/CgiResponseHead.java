package dev.lighttpdboot.gateway.cgi;

import java.util.Objects;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

/**
 * The status and headers a CGI-style backend (FastCGI, SCGI, uwsgi) answered with, as the client will get them.
 *
 * @param status the status: from {@code Status:} or an NPH status line, else 302 with a {@code Location}, else 200
 * @param headers the response headers, without {@code Status}; values are byte strings (ISO-8859-1)
 */
public record CgiResponseHead(HttpStatusCode status, HttpHeaders headers) {

	public CgiResponseHead {
		Objects.requireNonNull(status, "status");
		Objects.requireNonNull(headers, "headers");
	}

}
