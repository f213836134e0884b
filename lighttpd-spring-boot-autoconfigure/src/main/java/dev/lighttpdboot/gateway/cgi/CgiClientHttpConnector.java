package dev.lighttpdboot.gateway.cgi;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.Function;

import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * Lets {@code WebClient} call gateway backends (PHP through php-fpm over FastCGI, Python through uwsgi over SCGI)
 * as if they were HTTP services:
 * <pre>
 * WebClient php = WebClient.builder()
 *     .clientConnector(new CgiClientHttpConnector(backend, "/srv/www"))
 *     .build();
 * Mono&lt;String&gt; report = php.post().uri("/report.php?id=3").bodyValue(form).retrieve().bodyToMono(String.class);
 * </pre>
 * The path of the request URI names the script below the document root ({@code SCRIPT_FILENAME}); its query is
 * the {@code QUERY_STRING}; headers become {@code HTTP_*} variables (the environment is built by the same
 * {@link CgiEnvironment} as for proxied requests, inside the backend's protocol); the response streams as it
 * arrives.
 * <p>The request body is collected in memory before the backend is contacted (its length is the
 * {@code CONTENT_LENGTH}); up to {@code maxRequestSize} bytes, beyond which the request fails.
 */
public final class CgiClientHttpConnector implements ClientHttpConnector {

	private static final Log logger = LogFactory.getLog(CgiClientHttpConnector.class);

	private final GatewayBackend backend;

	private final @Nullable Path documentRoot;

	private final int maxRequestSize;

	/**
	 * Create a connector with a body limit of 16 MiB.
	 * @param backend the backend to call
	 * @param documentRoot the directory the backend's scripts live in, as the backend sees it
	 */
	public CgiClientHttpConnector(GatewayBackend backend, @Nullable String documentRoot) {
		this(backend, documentRoot, 16 * 1024 * 1024);
	}

	/**
	 * Create a connector.
	 * @param backend the backend to call
	 * @param documentRoot the directory the backend's scripts live in, as the backend sees it; {@code null} for a
	 * backend that takes request targets, not scripts (HTTP, AJP13)
	 * @param maxRequestSize the largest request body, in bytes
	 */
	public CgiClientHttpConnector(GatewayBackend backend, @Nullable String documentRoot, int maxRequestSize) {
		this.backend = backend;
		this.documentRoot = (documentRoot != null) ? Path.of(documentRoot) : null;
		this.maxRequestSize = maxRequestSize;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		CgiClientHttpRequest request = new CgiClientHttpRequest(method, uri, this.maxRequestSize);
		return requestCallback.apply(request).then(Mono.defer(() -> {
			GatewayRequest outgoing = GatewayRequest.outgoing(method, uri, request.getHeaders(), script(uri),
					SpooledBody.of(request.body()));
			return this.backend
				.exchange(outgoing, (backend, text) -> logger.warn("Backend stderr from " + backend + " for "
						+ LogText.printable(uri.getRawPath()) + ": " + LogText.printable(text)))
				.map(CgiClientHttpResponse::new);
		}));
	}

	private @Nullable ScriptResolution script(URI uri) {
		if (this.documentRoot == null) {
			return null;
		}
		String path = (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) ? uri.getRawPath() : "/";
		// Checked as a request path would be: no "..", no encoded slash, so the URI cannot name a script outside
		// the document root. The whole path is the script: a WebClient names scripts, not path info.
		return ScriptResolution.of(this.documentRoot, SafePath.parse(path, HiddenFiles.ALLOWED).toString(), "");
	}

}
