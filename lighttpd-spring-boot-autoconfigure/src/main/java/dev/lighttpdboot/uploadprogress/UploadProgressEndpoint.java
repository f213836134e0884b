package dev.lighttpdboot.uploadprogress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.server.ServingContext;
import dev.lighttpdboot.text.LogText;
import dev.lighttpdboot.text.QueryParameters;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * Answers {@code GET <path>?X-Progress-ID=<id>} (or the id in the header) with the upload's progress, read from
 * the {@link UploadProgressStore} only: the upload's handler and any backend are never involved.
 * <ul>
 * <li>JSON, as lighttpd 1.5's and nginx's modules answer: {@code {"state":"uploading","received":N,"size":M}}.</li>
 * <li>JSONP with {@code callback=<name>}: {@code name({...});} as {@code text/javascript}.</li>
 * <li>{@code Accept: text/event-stream}: a server-sent event with the same object whenever it changes, ending after
 * {@code done} or {@code error}, or after {@code eventIdleTimeout} without a change (an id that nobody uploads
 * with would otherwise hold its stream, and a timer, for as long as the client keeps the connection).</li>
 * </ul>
 * Every answer carries {@code Cache-Control: no-cache} and an {@code Expires} in the past, so that no browser or
 * proxy answers a poll from its cache. Ordered before the gateway routes (-3), but never in the application's way:
 * when the application maps the same path itself, the auto-configuration makes the endpoint
 * {@link #giveWay(String) give way} and warns at start-up.
 */
public class UploadProgressEndpoint extends AbstractHandlerMapping implements PathClaim {

	private static final Log logger = LogFactory.getLog(UploadProgressEndpoint.class);

	/** A JavaScript identifier, possibly dotted ({@code jQuery123.cb}): nothing else may reach the body. */
	private static final Pattern CALLBACK = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

	private static final int MAX_CALLBACK_LENGTH = 128;

	private static final String EXPIRES_IN_THE_PAST = "Thu, 01 Jan 1970 00:00:01 GMT";

	/** The default of {@code eventIdleTimeout}. */
	public static final Duration DEFAULT_EVENT_IDLE_TIMEOUT = Duration.ofSeconds(60);

	private final String path;

	private final UploadProgressStore store;

	private final Duration eventInterval;

	private final Duration eventIdleTimeout;

	private volatile @Nullable String givenWayTo;

	/**
	 * Create the endpoint, with event streams that end after {@link #DEFAULT_EVENT_IDLE_TIMEOUT} without a change.
	 * @param path the path it answers, for example {@code /progress}
	 * @param store where progress is read
	 * @param eventInterval how often an event stream looks for a change
	 */
	public UploadProgressEndpoint(String path, UploadProgressStore store, Duration eventInterval) {
		this(path, store, eventInterval, DEFAULT_EVENT_IDLE_TIMEOUT);
	}

	/**
	 * Create the endpoint.
	 * @param path the path it answers, for example {@code /progress}
	 * @param store where progress is read
	 * @param eventInterval how often an event stream looks for a change
	 * @param eventIdleTimeout how long an event stream goes on without a change before it ends
	 */
	public UploadProgressEndpoint(String path, UploadProgressStore store, Duration eventInterval,
			Duration eventIdleTimeout) {
		this.path = path;
		this.store = store;
		this.eventInterval = eventInterval;
		this.eventIdleTimeout = eventIdleTimeout;
		setOrder(-3);
	}

	/**
	 * Return the path the endpoint answers.
	 */
	public String getPath() {
		return this.path;
	}

	/**
	 * Leave the path to another handler, from now on.
	 * @param handler the handler that has it, for {@link #toString()}
	 */
	public void giveWay(String handler) {
		this.givenWayTo = handler;
	}

	/**
	 * Return the handler this endpoint gave way to, or {@code null} if it answers its path.
	 */
	public @Nullable String getGivenWayTo() {
		return this.givenWayTo;
	}

	/**
	 * Whether this endpoint answers a path: its own, unless it gave way to an application handler.
	 */
	@Override
	public boolean claims(String pathWithinApplication) {
		return this.givenWayTo == null && this.path.equals(pathWithinApplication);
	}

	@Override
	protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
		if (ServingContext.isOther(exchange, getApplicationContext())) {
			// Spring Boot's management child context: the application's content stays off the actuator's port.
			return Mono.empty();
		}
		ServerHttpRequest request = exchange.getRequest();
		HttpMethod method = request.getMethod();
		if (this.givenWayTo == null && (method == HttpMethod.GET || method == HttpMethod.HEAD)
				&& this.path.equals(request.getPath().pathWithinApplication().value())) {
			return Mono.just((WebHandler) this::handle);
		}
		return Mono.empty();
	}

	private Mono<Void> handle(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		Optional<QueryParameters> query = QueryParameters.tryParse(request.getURI().getRawQuery());
		if (query.isEmpty()) {
			return refuse(request, "a query that cannot be decoded");
		}
		String header = request.getHeaders().getFirst(ProgressIds.NAME);
		// The name without regard to case, as the counter finds it: a poll with the id the upload used must not be 400.
		String id = (header != null) ? header : query.get().firstIgnoringCase(ProgressIds.NAME).orElse(null);
		if (!ProgressIds.valid(id)) {
			return refuse(request, (id == null) ? "no " + ProgressIds.NAME : "an invalid " + ProgressIds.NAME);
		}
		String callback = query.get().first("callback").orElse(null);
		if (callback != null && (callback.length() > MAX_CALLBACK_LENGTH || !CALLBACK.matcher(callback).matches())) {
			return refuse(request, "an invalid callback");
		}
		ServerHttpResponse response = exchange.getResponse();
		HttpHeaders headers = response.getHeaders();
		headers.setCacheControl("no-cache");
		headers.set(HttpHeaders.EXPIRES, EXPIRES_IN_THE_PAST);
		headers.set(HttpHeaders.PRAGMA, "no-cache");
		if (callback == null && wantsEventStream(request)) {
			headers.setContentType(MediaType.TEXT_EVENT_STREAM);
			// Tells nginx in front not to buffer the stream.
			headers.set("X-Accel-Buffering", "no");
			return response.writeAndFlushWith(events(id).map((progress) -> Mono.just(encode(response,
					"data: " + progress.toJson() + "\n\n"))));
		}
		return this.store.find(id).flatMap((progress) -> {
			String body;
			if (callback != null) {
				headers.setContentType(new MediaType("text", "javascript", StandardCharsets.UTF_8));
				body = callback + "(" + progress.toJson() + ");";
			}
			else {
				headers.setContentType(MediaType.APPLICATION_JSON);
				body = progress.toJson();
			}
			DataBuffer buffer = encode(response, body);
			headers.setContentLength(buffer.readableByteCount());
			return response.writeWith(Mono.just(buffer));
		});
	}

	/**
	 * The progress, polled from the store: emitted at once, then whenever it changes, completing after the first
	 * finished state or when nothing changed for {@code eventIdleTimeout}. A client that still wants to know asks
	 * again (an {@code EventSource} reconnects by itself).
	 */
	Flux<UploadProgress> events(String id) {
		return Flux.interval(Duration.ZERO, this.eventInterval)
			.onBackpressureDrop()
			.concatMap((tick) -> this.store.find(id), 1)
			.distinctUntilChanged()
			.takeUntil((progress) -> progress.state().isFinished())
			.timeout(this.eventIdleTimeout, Flux.empty());
	}

	private static boolean wantsEventStream(ServerHttpRequest request) {
		return request.getHeaders().getAccept().stream()
			.anyMatch((type) -> type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM) && !type.isWildcardType());
	}

	private static DataBuffer encode(ServerHttpResponse response, String text) {
		return response.bufferFactory().wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private static Mono<Void> refuse(ServerHttpRequest request, String what) {
		String query = request.getURI().getRawQuery();
		String target = request.getURI().getRawPath() + ((query != null) ? "?" + query : "");
		if (logger.isDebugEnabled()) {
			logger.debug("Refused upload-progress request " + LogText.printable(target) + " with 400: " + what);
		}
		return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, what));
	}

}
