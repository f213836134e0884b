package dev.lighttpdboot.gateway;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * Lets {@code WebClient} call FastCGI applications (PHP through php-fpm, say) as if they were HTTP services:
 * <pre>
 * WebClient php = WebClient.builder()
 *     .clientConnector(new CgiClientHttpConnector(backend, "/srv/www"))
 *     .build();
 * Mono&lt;String&gt; report = php.post().uri("/report.php?id=3").bodyValue(form).retrieve().bodyToMono(String.class);
 * </pre>
 * The path of the request URI names the script below the document root ({@code SCRIPT_FILENAME}); its query is
 * the {@code QUERY_STRING}; headers become {@code HTTP_*} variables; the response streams as it arrives.
 * <p>The request body is collected in memory before the backend is contacted (its length is the
 * {@code CONTENT_LENGTH}); up to {@code maxRequestSize} bytes, beyond which the request fails.
 */
public final class CgiClientHttpConnector implements ClientHttpConnector {

	private static final Log logger = LogFactory
		.getLog(CgiClientHttpConnector.class);

	private final GatewayBackend backend;

	private final String documentRoot;

	private final int maxRequestSize;

	/**
	 * Create a connector with a body limit of 16 MiB.
	 * @param backend the backend to call
	 * @param documentRoot the directory the backend's scripts live in, as the backend sees it
	 */
	public CgiClientHttpConnector(GatewayBackend backend, String documentRoot) {
		this(backend, documentRoot, 16 * 1024 * 1024);
	}

	/**
	 * Create a connector.
	 * @param backend the backend to call
	 * @param documentRoot the directory the backend's scripts live in, as the backend sees it
	 * @param maxRequestSize the largest request body, in bytes
	 */
	public CgiClientHttpConnector(GatewayBackend backend, String documentRoot, int maxRequestSize) {
		this.backend = backend;
		this.documentRoot = documentRoot.endsWith("/") ? documentRoot.substring(0, documentRoot.length() - 1)
				: documentRoot;
		this.maxRequestSize = maxRequestSize;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		CgiClientHttpRequest request = new CgiClientHttpRequest(method, uri, this.maxRequestSize);
		return requestCallback.apply(request).then(Mono.defer(() -> {
			byte[] body = request.body();
			List<Map.Entry<String, String>> params = environment(method, uri, request.getHeaders(), body.length);
			return this.backend
				.exchange(params, () -> (body.length > 0) ? Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))
						: Flux.empty(), (backend, text) -> logger.warn("FastCGI stderr from " + backend + " for "
								+ LogText.printable(uri.getRawPath()) + ": " + LogText.printable(text)))
				.map(CgiClientHttpResponse::new);
		}));
	}

	private List<Map.Entry<String, String>> environment(HttpMethod method, URI uri, HttpHeaders headers,
			long contentLength) {
		String path = (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) ? uri.getRawPath() : "/";
		// Checked as a request path would be: no "..", no encoded slash, so the URI cannot name a script outside
		// the document root.
		String decodedPath = latin1(SafePath.parse(path, HiddenFiles.ALLOWED).toString());
		String query = (uri.getRawQuery() != null) ? uri.getRawQuery() : "";
		List<Map.Entry<String, String>> params = new ArrayList<>();
		add(params, "GATEWAY_INTERFACE", "CGI/1.1");
		add(params, "SERVER_SOFTWARE", "lighttpd-spring-boot");
		add(params, "SERVER_PROTOCOL", "HTTP/1.1");
		add(params, "SERVER_NAME", (uri.getHost() != null) ? uri.getHost() : "localhost");
		add(params, "SERVER_PORT", Integer.toString((uri.getPort() > 0) ? uri.getPort() : 80));
		add(params, "REQUEST_METHOD", method.name());
		add(params, "REQUEST_URI", path + (query.isEmpty() ? "" : "?" + query));
		add(params, "QUERY_STRING", query);
		add(params, "SCRIPT_NAME", decodedPath);
		add(params, "SCRIPT_FILENAME", latin1(this.documentRoot) + decodedPath);
		add(params, "DOCUMENT_URI", decodedPath);
		add(params, "DOCUMENT_ROOT", latin1(this.documentRoot));
		add(params, "REDIRECT_STATUS", "200");
		add(params, "REMOTE_ADDR", "127.0.0.1");
		add(params, "CONTENT_LENGTH", (contentLength > 0) ? Long.toString(contentLength) : "");
		add(params, "CONTENT_TYPE", (headers.getContentType() != null) ? headers.getContentType().toString() : "");
		headers.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (lower.equals("content-length") || lower.equals("content-type") || lower.equals("proxy")
					|| !name.chars().allMatch((c) -> Character.isLetterOrDigit(c) || c == '-')) {
				return;
			}
			String joined = String.join(lower.equals("cookie") ? "; " : ", ", values);
			add(params, "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_'), joined);
		});
		return params;
	}

	private static void add(List<Map.Entry<String, String>> params, String name, String value) {
		params.add(new SimpleImmutableEntry<>(name, value));
	}

	private static String latin1(String text) {
		// FastCGI carries bytes; the codec writes ISO-8859-1 characters as single bytes, so UTF-8 goes through as is.
		return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
	}

}
