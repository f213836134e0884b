package dev.lighttpdboot.gateway.route;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.StatCache;
import dev.lighttpdboot.gateway.BackendCall;
import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayMetrics;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.gateway.cgi.ScriptMatch;
import dev.lighttpdboot.gateway.cgi.ScriptResolver;
import dev.lighttpdboot.gateway.cgi.ScriptResolution;
import dev.lighttpdboot.gateway.http.HttpBackend;
import dev.lighttpdboot.gateway.http.WebSocketRelay;
import dev.lighttpdboot.gateway.spool.PayloadTooLargeException;
import dev.lighttpdboot.gateway.spool.RequestBodySpool;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import dev.lighttpdboot.gateway.spool.ResponseBodyBuffer;
import dev.lighttpdboot.sendfile.SendfileHeaders;
import dev.lighttpdboot.sendfile.XSendfile;
import dev.lighttpdboot.server.ServingContext;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * Proxies matching requests to backends, as lighttpd's mod_fastcgi does: ahead of the application's own handlers
 * (order -2, before router functions at -1), because a route is configured for exactly the paths it owns.
 * <ol>
 * <li>The path is checked ({@link SafePath}) and split into SCRIPT_NAME and PATH_INFO; with {@code check-local}
 * a missing script is 404 without contacting a backend.</li>
 * <li>The request body is read at network speed and spooled (memory, then a temporary file) before a backend is
 * contacted, so a slow upload never holds a backend worker, and CONTENT_LENGTH is exact even for chunked
 * uploads; beyond {@code max-request-size}, 413.</li>
 * <li>The request goes to the route's pool as a protocol-neutral {@link GatewayRequest}; the protocol of its
 * backends turns it into bytes (a CGI environment for FastCGI and SCGI). The response head decides the status
 * ({@code Status:}, else {@code Location} gives 302, else 200) and headers. The body is read as fast as the backend sends it and kept
 * (memory, then a temporary file) until the client takes it, so a slow client does not hold the backend
 * ({@link ResponseBodyBuffer}); a route or a response may choose to stream with back-pressure instead. A body
 * that came whole with its head ({@link GatewayResponse#completeBodyLength()}) leaves with it in one write, framed
 * by its length.</li>
 * <li>With {@code allow-x-sendfile}, a response carrying a sendfile header is answered by {@link XSendfile}.</li>
 * </ol>
 */
public class GatewayHandlerMapping extends AbstractHandlerMapping implements PathClaim {

	private static final Log logger = LogFactory.getLog(GatewayHandlerMapping.class);

	/**
	 * Response headers that describe the backend connection, not the response (RFC 9110 section 7.6.1), or that
	 * would frame the client connection: framing is this server's alone.
	 */
	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
			"transfer-encoding", "te", "trailer", "upgrade", "http2-settings");

	private static final Set<HttpMethod> REFUSED_METHODS = Set.of(HttpMethod.TRACE, HttpMethod.valueOf("CONNECT"));

	private static final Set<HttpMethod> ALLOWED_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
			HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

	private final List<GatewayRoute> routes;

	private final Map<String, StderrLog> stderrLogs = new ConcurrentHashMap<>();

	private final RequestBodySpool spool;

	private final FileSystemScheduler fileSystem;

	private final @Nullable XSendfile xSendfile;

	private final GatewayMetrics metrics;

	private final StatCache statCache;

	private final ResponseBodyBuffer responseBuffer;

	/**
	 * Create the mapping.
	 * @param routes the routes, tried in order
	 * @param spool spools request bodies
	 * @param fileSystem the scheduler for file-system calls
	 * @param statCache answers {@code check-local} without a file-system call while its entry is fresh
	 * @param xSendfile answers backend responses that carry a sendfile header, or {@code null} if X-Sendfile is off
	 * @param metrics receives an event per request
	 * @param responseBuffer keeps response bodies for routes that buffer them
	 */
	public GatewayHandlerMapping(List<GatewayRoute> routes, RequestBodySpool spool,
			FileSystemScheduler fileSystem, StatCache statCache, @Nullable XSendfile xSendfile, GatewayMetrics metrics,
			ResponseBodyBuffer responseBuffer) {
		this.responseBuffer = responseBuffer;
		this.statCache = statCache;
		this.routes = List.copyOf(routes);
		this.spool = spool;
		this.fileSystem = fileSystem;
		this.xSendfile = xSendfile;
		this.metrics = metrics;
		setOrder(-2);
	}

	@Override
	protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
		if (ServingContext.isOther(exchange, getApplicationContext())) {
			// Spring Boot's management child context: the application's content stays off the actuator's port.
			return Mono.empty();
		}
		String rawPath = exchange.getRequest().getPath().pathWithinApplication().value();
		for (GatewayRoute route : this.routes) {
			if (route.scripts() != null) {
				// A CGI route: one parse decides whether the path belongs to it and splits it.
				Optional<ScriptMatch> match = route.scripts().match(rawPath);
				if (match.isPresent()) {
					return Mono.just((WebHandler) (current) -> handle(current, route, rawPath, match.get()));
				}
			}
			else if (route.matcher().matches(rawPath)) {
				return Mono.just((WebHandler) (current) -> handle(current, route, rawPath, null));
			}
		}
		return Mono.empty();
	}

	/**
	 * Whether a route answers a path: its scripts or prefix, including paths the route refuses.
	 */
	@Override
	public boolean claims(String pathWithinApplication) {
		for (GatewayRoute route : this.routes) {
			boolean matches = (route.scripts() != null) ? route.scripts().match(pathWithinApplication).isPresent()
					: route.matcher().matches(pathWithinApplication);
			if (matches) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Answer a request of a route; {@code match} is what a CGI route made of the path, {@code null} for a route
	 * without scripts.
	 */
	private Mono<Void> handle(ServerWebExchange exchange, GatewayRoute route, String rawPath,
			@Nullable ScriptMatch match) {
		GatewayHandoff.Handed handed = GatewayHandoff.take(exchange.getRequest());
		if (handed != null) {
			if (handed.route().name().equals(route.name())) {
				// The connection's pipeline called the backend already (GatewayInThePipeline): its answer, or its
				// failure, is answered here as every other.
				return answer(exchange, route, handed.target(), handed.answer(), handed.calledNanos());
			}
			// A filter changed the path to another route's: the answer is for a request no longer made.
			handed.discard();
		}
		HttpMethod method = exchange.getRequest().getMethod();
		if (REFUSED_METHODS.contains(method)) {
			// TRACE would echo credentials back; CONNECT would open a tunnel through the backend. Neither is for
			// an application.
			if (logger.isDebugEnabled()) {
				logger.debug("Refused " + method + " " + LogText.printable(rawPath) + " on route '" + route.name()
						+ "' with 405");
			}
			route.pool().observeUnsent("refused");
			// The error page is rendered on this response: it carries Allow.
			exchange.getResponse().getHeaders().setAllow(ALLOWED_METHODS);
			return Mono.error(new MethodNotAllowedException(method, ALLOWED_METHODS));
		}
		if (match == null) {
			// No document root: the target goes on as received, once it passed the same path checks.
			try {
				SafePath.parse(rawPath, HiddenFiles.REFUSED);
			}
			catch (PathRefusedException ex) {
				return refused(exchange, route, rawPath, ex);
			}
			if (WebSocketRelay.isUpgrade(exchange.getRequest())) {
				WebSocketRelay relay = webSocketRelay(route);
				if (relay != null) {
					return relay.relay(exchange, GatewayRequest.of(exchange.getRequest(), null, SpooledBody.EMPTY))
						.doOnError(BackendException.class, (ex) -> logger.warn("Route '" + route.name() + "', "
								+ LogText.printable(rawPath) + ": " + ex.getReason() + " (" + ex.getStatusCode().value()
								+ ")"));
				}
			}
			return proxy(exchange, route, null);
		}
		if (match instanceof ScriptMatch.Refused refused) {
			return refused(exchange, route, rawPath, refused.reason());
		}
		ScriptResolution script = ((ScriptMatch.Script) match).resolution();
		ScriptResolver scripts = route.scripts();
		Mono<Boolean> present = (route.checkLocal() && scripts != null)
				? scripts.scriptExists(exchange.getRequest(), script, this.statCache)
				: Mono.just(true);
		return present.flatMap((exists) -> {
			if (!exists) {
				return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND,
						"no script " + script.scriptName()));
			}
			return proxy(exchange, route, script);
		});
	}

	/**
	 * Return the WebSocket relay of the least busy backend of a route that takes requests now, or {@code null}
	 * when none passes upgrades through (the upgrade then goes on as a plain request, without {@code Upgrade}).
	 */
	private static @Nullable WebSocketRelay webSocketRelay(GatewayRoute route) {
		@Nullable WebSocketRelay chosen = null;
		int load = Integer.MAX_VALUE;
		for (PoolBackend backend : route.pool().backends()) {
			if (backend.isServing() && backend.backend() instanceof HttpBackend http && http.webSockets() != null
					&& backend.load() < load) {
				chosen = http.webSockets();
				load = backend.load();
			}
		}
		return chosen;
	}

	private Mono<Void> refused(ServerWebExchange exchange, GatewayRoute route, String rawPath,
			PathRefusedException ex) {
		route.pool().observeUnsent("refused");
		logger.debug("Refused " + exchange.getRequest().getMethod() + " " + LogText.printable(rawPath) + " on route '"
				+ route.name() + "' with " + ex.getStatusCode().value() + ": " + ex.getReason());
		return Mono.error(ex);
	}

	private Mono<Void> proxy(ServerWebExchange exchange, GatewayRoute route, @Nullable ScriptResolution script) {
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		GatewayPool pool = route.pool();
		if (request.getHeaders().getContentLength() > route.maxRequestSize()) {
			// Announced too large: refuse before reading a byte, as nginx's client_max_body_size does.
			return Mono.error(new PayloadTooLargeException(route.maxRequestSize()));
		}
		// What logs name: the script, or for a route without scripts the path.
		String target = (script != null) ? script.scriptName() : request.getPath().value();
		GatewayRequest bodiless = GatewayRequest.of(request, script, SpooledBody.EMPTY);
		// A body spooled to a file completes on a file-system thread: continue on the event loop. A request that
		// says it has none goes on at once.
		Mono<GatewayRequest> spooled = bodiless.announcesNoBody() ? Mono.just(bodiless)
				: this.fileSystem.backTo(request,
						this.spool.spool(request.getBody(), route.maxRequestSize(), route.requestBufferInMemory()))
					.doOnError(PayloadTooLargeException.class, (ex) -> pool.observeUnsent("too-large"))
					.map(bodiless::withBody);
		return spooled.flatMap((gatewayRequest) -> Mono
			.defer(() -> answer(exchange, route, target, call(route, gatewayRequest, target), System.nanoTime()))
			.doFinally((signal) -> gatewayRequest.body().release()));
	}

	/**
	 * Send a request to a route's pool; what its backends write to stderr is counted and logged.
	 * @param target what log lines name: the script, or for a route without scripts the path
	 */
	Mono<GatewayResponse> call(GatewayRoute route, GatewayRequest request, String target) {
		return route.pool().exchange(request, (name, text) -> {
			this.metrics.stderr(route.name(), name);
			this.stderrLogs.computeIfAbsent(route.name(), (named) -> new StderrLog(logger, named))
				.log(name, target, text);
		});
	}

	/**
	 * Answer a request with what its backend call gives, begun at {@code called} ({@link System#nanoTime()}).
	 */
	private Mono<Void> answer(ServerWebExchange exchange, GatewayRoute route, String target,
			Mono<GatewayResponse> answers, long called) {
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		return recordCall(exchange, route, answers, called)
				.flatMap((answer) -> respond(request, response, route, answer))
				.doOnError(BackendException.class, (ex) -> {
					String line = "Route '" + route.name() + "', " + LogText.printable(target) + ": "
							+ ex.getReason() + " (" + ex.getStatusCode().value() + ")";
					if (ex.getStatusCode().value() == 503) {
						// The pool logs once when its backends go and come back, not once per request.
						logger.debug(line);
					}
					else {
						logger.warn(line);
					}
					if (!response.isCommitted()) {
						// The error page is rendered on this response: let it carry Retry-After for a 503.
						response.getHeaders().addAll(ex.getHeaders());
					}
				});
	}

	/**
	 * Keep which backend answered, and how long it took, as an exchange attribute for the access log.
	 */
	private static Mono<GatewayResponse> recordCall(ServerWebExchange exchange, GatewayRoute route,
			Mono<GatewayResponse> answers, long called) {
		Map<String, Object> attributes = exchange.getAttributes();
		return answers.map((answer) -> {
			String backend = (answer.backend() != null) ? answer.backend() : route.name();
			attributes.put(BackendCall.ATTRIBUTE,
					new BackendCall(route.name(), backend, Duration.ofNanos(System.nanoTime() - called)));
			Flux<DataBuffer> timed = answer.body()
				.doFinally((signal) -> attributes.put(BackendCall.ATTRIBUTE,
						new BackendCall(route.name(), backend, Duration.ofNanos(System.nanoTime() - called))));
			return answer.withBody(timed, answer.backend());
		});
	}

	private Mono<Void> respond(ServerHttpRequest request, ServerHttpResponse response, GatewayRoute route,
			GatewayResponse answer) {
		response.setStatusCode(answer.head().status());
		HttpHeaders headers = response.getHeaders();
		copyEndToEndHeaders(answer, headers);
		// Decided here, so that X-Accel-Buffering, meant for this server, leaves every response, HEAD included.
		boolean buffered = ResponseBodyBuffer.wantsBuffering(headers, route.responseBuffering());
		XSendfile sender = this.xSendfile;
		if (sender != null && sendsFile(route, headers)) {
			return drain(answer.body()).then(Mono.defer(() -> sender.send(request, response)));
		}
		// A backend that may not use X-Sendfile must not leak a path, nor steer an nginx in front of this server.
		SendfileHeaders.stripAll(response);
		if (HttpMethod.HEAD.equals(request.getMethod())) {
			return drain(answer.body()).then(Mono.defer(response::setComplete));
		}
		// Buffered, the backend is read at its own pace and freed when its answer is complete; streamed, demand
		// from the client paces the reads from the backend. Reactor Netty flushes whenever no further buffer is
		// ready, so output that a script flushes reaches the client at once. A body that breaks after it began
		// closes the client connection: the client sees an incomplete response, never a complete-looking one.
		int status = answer.head().status().value();
		long declared = headers.getContentLength();
		long whole = answer.completeBodyLength();
		if (whole >= 0 && status != 204 && status != 304 && (declared < 0 || declared == whole)) {
			// All of it came with the head, and the backend is free already: it leaves with its head in one write,
			// framed by its length, as lighttpd frames a response it has whole.
			headers.setContentLength(whole);
			return (whole > 0) ? response.writeWith(DataBufferUtils.join(answer.body()))
					: drain(answer.body()).then(Mono.defer(response::setComplete));
		}
		if (declared < 0 || status == 204 || status == 304) {
			return response.writeWith(buffered(answer.body(), buffered, route, response));
		}
		// A declared length frames the client connection: the body must match it (bodiless statuses aside). It is
		// enforced on what the backend sends, before any buffering.
		AtomicBoolean excess = new AtomicBoolean();
		Flux<DataBuffer> framed = DeclaredContentLength.enforce(answer.body(), declared, "the backend",
				() -> excess.set(true));
		return response.writeWith(buffered(framed, buffered, route, response))
			.then(Mono.fromRunnable(() -> {
				if (excess.get()) {
					logger.warn("Route '" + route.name() + "', " + LogText.printable(request.getPath().value())
							+ ": the backend sent more than its Content-Length of " + declared
							+ " bytes; the rest was dropped and the client connection closed");
					ClientConnections.closeAfterWrites(response);
				}
			}));
	}

	/**
	 * Copy the headers of a backend's response that are meant for the client: not those of the backend connection.
	 */
	static void copyEndToEndHeaders(GatewayResponse answer, HttpHeaders headers) {
		forEachEndToEndHeader(answer, headers::addAll);
	}

	/**
	 * Copy the headers of a backend's response that are meant for the client straight into Netty's headers, leaving
	 * out those that {@code leftOut} names too: one pass, with none of Spring's views of Netty's headers, for an
	 * answer written from the connection's pipeline.
	 * @throws IllegalArgumentException if Netty refuses a name or a value
	 */
	static void copyEndToEndHeaders(GatewayResponse answer, io.netty.handler.codec.http.HttpHeaders headers,
			Predicate<String> leftOut) {
		forEachEndToEndHeader(answer, (name, values) -> {
			if (!leftOut.test(name)) {
				headers.add(name, values);
			}
		});
	}

	private static void forEachEndToEndHeader(GatewayResponse answer, BiConsumer<String, List<String>> action) {
		HttpHeaders backend = answer.head().headers();
		// Headers that the backend's Connection header names are hop-by-hop too. Most answers have none (FastCGI,
		// SCGI and AJP13 answers never do): no list is parsed and no name lower-cased for them, on every answer.
		List<String> nominated = backend.containsHeader(HttpHeaders.CONNECTION) ? backend.getConnection() : List.of();
		backend.forEach((name, values) -> {
			if (!isHopByHop(name) && !containsIgnoringCase(nominated, name)) {
				action.accept(name, values);
			}
		});
	}

	private static boolean isHopByHop(String name) {
		return containsIgnoringCase(HOP_BY_HOP, name);
	}

	private static boolean containsIgnoringCase(Collection<String> names, String name) {
		for (String candidate : names) {
			if (candidate.equalsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a response's headers ask this server to send a file, on a route that allows it.
	 */
	boolean sendsFile(GatewayRoute route, HttpHeaders headers) {
		return route.allowXSendfile() && this.xSendfile != null && this.xSendfile.isRequested(headers);
	}

	/**
	 * Find the route that would call a backend for a path at once, with nothing left to refuse or to look up: a
	 * script whose presence, with {@code check-local}, the stat cache knows; a path a route without scripts takes
	 * as it is. {@code null} for every other path, the paths of no route included.
	 */
	@Nullable Routed routeCalledAtOnce(String rawPath) {
		for (GatewayRoute route : this.routes) {
			ScriptResolver scripts = route.scripts();
			if (scripts != null) {
				Optional<ScriptMatch> match = scripts.match(rawPath);
				if (match.isEmpty()) {
					continue;
				}
				if (!(match.get() instanceof ScriptMatch.Script script)) {
					return null;
				}
				ScriptResolution resolution = script.resolution();
				if (route.checkLocal() && !Boolean.TRUE.equals(scripts.scriptExistsIfKnown(resolution, this.statCache))) {
					return null;
				}
				return new Routed(route, resolution, resolution.scriptName());
			}
			if (route.matcher().matches(rawPath)) {
				try {
					SafePath.parse(rawPath, HiddenFiles.REFUSED);
				}
				catch (PathRefusedException ex) {
					return null;
				}
				return new Routed(route, null, rawPath);
			}
		}
		return null;
	}

	/**
	 * A route and what it made of a path.
	 * @param route the route
	 * @param script where the path lands below the route's document root, or {@code null} for a route without one
	 * @param target what log lines name: the script, or the path
	 */
	record Routed(GatewayRoute route, @Nullable ScriptResolution script, String target) {
	}

	private Flux<DataBuffer> buffered(Flux<DataBuffer> body, boolean buffered, GatewayRoute route,
			ServerHttpResponse response) {
		return (buffered && this.responseBuffer != null)
				? this.responseBuffer.buffer(body, route.responseBuffering(), response.bufferFactory()) : body;
	}

	private static Mono<Void> drain(Flux<DataBuffer> body) {
		// Reading the rest (usually nothing) lets the connection go back to the pool.
		return body.doOnNext(DataBufferUtils::release).then();
	}

}
