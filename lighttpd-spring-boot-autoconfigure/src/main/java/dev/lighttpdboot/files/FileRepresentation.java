package dev.lighttpdboot.files;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * The file that answers a request for another file: the file itself, or an encoded form of it (a precompressed
 * sibling, a cached compressed copy). {@link FileDelivery} sends {@link #file()} exactly as it sends any file, so
 * conditional requests and Range apply to the bytes that are sent.
 *
 * @param file the file to send, with the entity tag and Last-Modified of this representation
 * @param contentType the Content-Type of the original file (never that of the encoded form)
 * @param contentEncoding the Content-Encoding token, or {@code null} for the identity
 * @param varies whether the choice depended on Accept-Encoding, so the answer must say {@code Vary}
 */
public record FileRepresentation(FileSnapshot file, @Nullable MediaType contentType, @Nullable String contentEncoding,
		boolean varies) {

	/**
	 * The exchange attribute set once a representation was chosen: response filters that would transform the body
	 * (compression) leave such a response alone.
	 */
	public static final String CHOSEN_ATTRIBUTE = FileRepresentation.class.getName() + ".CHOSEN";

	public FileRepresentation {
		Objects.requireNonNull(file, "file");
	}

	/**
	 * The file itself, its Content-Type chosen from its name.
	 */
	public static FileRepresentation identity(FileSnapshot file) {
		return new FileRepresentation(file, null, null, false);
	}

	/**
	 * Send this representation: its encoding headers, then the file through the delivery path.
	 * @param delivery the one file-sending path
	 * @param exchange the exchange to answer
	 * @return completion of the response
	 */
	public Mono<Void> deliver(FileDelivery delivery, ServerWebExchange exchange) {
		exchange.getAttributes().put(CHOSEN_ATTRIBUTE, Boolean.TRUE);
		ServerHttpResponse response = exchange.getResponse();
		if (this.varies) {
			addVary(response.getHeaders(), HttpHeaders.ACCEPT_ENCODING);
		}
		if (this.contentEncoding != null) {
			response.getHeaders().set(HttpHeaders.CONTENT_ENCODING, this.contentEncoding);
		}
		return delivery.deliver(exchange.getRequest(), response, this.file, this.contentType);
	}

	/**
	 * Add a header name to {@code Vary} unless it is listed already.
	 */
	public static void addVary(HttpHeaders headers, String name) {
		for (String value : headers.getOrEmpty(HttpHeaders.VARY)) {
			for (String listed : value.split(",")) {
				String trimmed = listed.trim();
				if (trimmed.equalsIgnoreCase(name) || trimmed.equals("*")) {
					return;
				}
			}
		}
		headers.add(HttpHeaders.VARY, name);
	}

}
