package dev.lighttpdboot.gateway.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of gateway routes: requests matched by extension or path prefix, sent to backends.
 */
@ConfigurationProperties("lighttpd.gateway")
public class GatewayProperties {

	/**
	 * Whether gateway routes are served.
	 */
	private boolean enabled = true;

	/**
	 * Directory for request and response bodies too large for memory. Defaults to the JVM's temporary directory.
	 */
	private @Nullable Path spoolDirectory;

	/**
	 * Routes, tried in order.
	 */
	private List<Route> routes = new ArrayList<>();

	/**
	 * Where the backends of bodiless GET requests are called: "webflux" (through every WebFilter, as any request) or
	 * "netty" (from the connection's pipeline, before Reactor Netty's HTTP handling and WebFlux: the application's
	 * WebFilters, Spring Security's too, never see those requests).
	 */
	private Dispatch dispatch = Dispatch.WEBFLUX;

	public Dispatch getDispatch() {
		return this.dispatch;
	}

	public void setDispatch(Dispatch dispatch) {
		this.dispatch = dispatch;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable Path getSpoolDirectory() {
		return this.spoolDirectory;
	}

	public void setSpoolDirectory(Path spoolDirectory) {
		this.spoolDirectory = spoolDirectory;
	}

	public List<Route> getRoutes() {
		return this.routes;
	}

	public void setRoutes(List<Route> routes) {
		this.routes = routes;
	}

	/** Protocols a route can speak to its backends. */
	public enum Protocol {

		/** FastCGI 1.0 (php-fpm, php-cgi, uwsgi's fastcgi-socket). */
		FASTCGI,

		/** SCGI (uwsgi's scgi-socket, Python applications): a connection per request. */
		SCGI,

		/** HTTP/1.1 (puma, Ruby applications): kept-alive connections, no document root. */
		HTTP,

		/** AJP13 (Tomcat's AJP connector, Java applications): kept-alive connections, no document root. */
		AJP13;

		/**
		 * Return the name a protocol plug-in has: {@code fastcgi}, {@code scgi}.
		 */
		public String pluginName() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * One route.
	 */
	public static class Route {

		/**
		 * Name of the route, for logs and metrics.
		 */
		private String name = "";

		/**
		 * File extensions the route takes, for example ".php"; the script is the path up to the first segment
		 * ending with one.
		 */
		private List<String> extensions = new ArrayList<>();

		/**
		 * Path prefix the route takes instead of extensions, for example "/app/".
		 */
		private @Nullable String pathPrefix;

		/**
		 * Protocol spoken to the backends: fastcgi or scgi (routes of both need a document root for their scripts),
		 * or http or ajp13 (the request target goes on as received).
		 */
		private Protocol protocol = Protocol.FASTCGI;

		/**
		 * Directory of the scripts, for SCRIPT_FILENAME and check-local. Defaults to lighttpd.document-root.
		 */
		private @Nullable Path documentRoot;

		/**
		 * Whether a request for a script that does not exist is answered 404 without contacting a backend.
		 */
		private boolean checkLocal = true;

		/**
		 * Whether backends may answer with X-Sendfile (within lighttpd.sendfile.allowed-roots).
		 */
		private boolean allowXSendfile = false;

		/**
		 * How backends are chosen: round-robin (smooth weighted), shortest-queue (fewest requests in flight and
		 * waiting), static (the first usable backend, for pure fail-over) or hash (the request path decides, so a
		 * URL stays on one backend while it is usable).
		 */
		private Balance balance = Balance.SHORTEST_QUEUE;

		/**
		 * How long a backend that refused a connection or was overloaded takes no requests; afterwards one
		 * request probes it.
		 */
		private Duration disableTime = Duration.ofSeconds(1);

		/**
		 * Requests that may wait for a connection to a backend; beyond it the backend is overloaded (503).
		 */
		private int queueLimit = 64;

		/**
		 * How long a connection to a backend may take to open.
		 */
		private Duration connectTimeout = Duration.ofSeconds(2);

		/**
		 * How long a backend may stay silent while a response is expected (504 beyond).
		 */
		private Duration readTimeout = Duration.ofSeconds(60);

		/**
		 * Largest request body accepted (413 beyond).
		 */
		private DataSize maxRequestSize = DataSize.ofMegabytes(100);

		/**
		 * How much of a request body is kept in memory before it is spooled to a temporary file.
		 */
		private DataSize requestBufferInMemory = DataSize.ofKilobytes(256);

		/**
		 * Whether response bodies are read from the backend as fast as it sends them and kept (memory, then a
		 * temporary file) until the client takes them, so that a slow client does not hold a backend worker.
		 */
		private boolean responseBuffering = true;

		/**
		 * How much of a response body is kept in memory, per response, before the rest goes to a temporary file.
		 */
		private DataSize responseBufferInMemory = DataSize.ofKilobytes(64);

		/**
		 * Largest temporary file per response; beyond it the backend is read only as fast as the client reads, and
		 * 0 keeps responses in memory only.
		 */
		private DataSize maxResponseTempFileSize = DataSize.ofGigabytes(1);

		/**
		 * Backends of the route.
		 */
		private List<Backend> backends = new ArrayList<>();

		/**
		 * Local processes the route starts, supervises and stops; they join its backends.
		 */
		private final Spawn spawn = new Spawn();

		/**
		 * Background checks of the route's backends and how the pool's health counts.
		 */
		private final HealthCheck healthCheck = new HealthCheck();

		/**
		 * Settings of routes whose protocol is ajp13.
		 */
		private final Ajp13 ajp13 = new Ajp13();

		public Ajp13 getAjp13() {
			return this.ajp13;
		}

		/**
		 * What routes of protocol http send their backends.
		 */
		private final Http http = new Http();

		public Http getHttp() {
			return this.http;
		}

		public Spawn getSpawn() {
			return this.spawn;
		}

		public HealthCheck getHealthCheck() {
			return this.healthCheck;
		}

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public List<String> getExtensions() {
			return this.extensions;
		}

		public void setExtensions(List<String> extensions) {
			this.extensions = extensions;
		}

		public @Nullable String getPathPrefix() {
			return this.pathPrefix;
		}

		public void setPathPrefix(String pathPrefix) {
			this.pathPrefix = pathPrefix;
		}

		public Protocol getProtocol() {
			return this.protocol;
		}

		public void setProtocol(Protocol protocol) {
			this.protocol = protocol;
		}

		public @Nullable Path getDocumentRoot() {
			return this.documentRoot;
		}

		public void setDocumentRoot(Path documentRoot) {
			this.documentRoot = documentRoot;
		}

		public boolean isCheckLocal() {
			return this.checkLocal;
		}

		public void setCheckLocal(boolean checkLocal) {
			this.checkLocal = checkLocal;
		}

		public boolean isAllowXSendfile() {
			return this.allowXSendfile;
		}

		public void setAllowXSendfile(boolean allowXSendfile) {
			this.allowXSendfile = allowXSendfile;
		}

		public Balance getBalance() {
			return this.balance;
		}

		public void setBalance(Balance balance) {
			this.balance = balance;
		}

		public Duration getDisableTime() {
			return this.disableTime;
		}

		public void setDisableTime(Duration disableTime) {
			this.disableTime = disableTime;
		}

		public int getQueueLimit() {
			return this.queueLimit;
		}

		public void setQueueLimit(int queueLimit) {
			this.queueLimit = queueLimit;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Duration getReadTimeout() {
			return this.readTimeout;
		}

		public void setReadTimeout(Duration readTimeout) {
			this.readTimeout = readTimeout;
		}

		public DataSize getMaxRequestSize() {
			return this.maxRequestSize;
		}

		public void setMaxRequestSize(DataSize maxRequestSize) {
			this.maxRequestSize = maxRequestSize;
		}

		public DataSize getRequestBufferInMemory() {
			return this.requestBufferInMemory;
		}

		public void setRequestBufferInMemory(DataSize requestBufferInMemory) {
			this.requestBufferInMemory = requestBufferInMemory;
		}

		public boolean isResponseBuffering() {
			return this.responseBuffering;
		}

		public void setResponseBuffering(boolean responseBuffering) {
			this.responseBuffering = responseBuffering;
		}

		public DataSize getResponseBufferInMemory() {
			return this.responseBufferInMemory;
		}

		public void setResponseBufferInMemory(DataSize responseBufferInMemory) {
			this.responseBufferInMemory = responseBufferInMemory;
		}

		public DataSize getMaxResponseTempFileSize() {
			return this.maxResponseTempFileSize;
		}

		public void setMaxResponseTempFileSize(DataSize maxResponseTempFileSize) {
			this.maxResponseTempFileSize = maxResponseTempFileSize;
		}

		public List<Backend> getBackends() {
			return this.backends;
		}

		public void setBackends(List<Backend> backends) {
			this.backends = backends;
		}

	}

	/**
	 * What an ajp13 route sends beyond the request: they must match the Tomcat connector's attributes.
	 */
	public static class Ajp13 {

		/**
		 * Shared secret sent with every request, the Tomcat AJP connector's "secret" (required unless its
		 * secretRequired is false); never logged.
		 */
		private @Nullable String secret;

		/**
		 * Largest AJP13 packet, the connector's packetSize: 8KB unless both sides raise it (at most 64KB).
		 */
		private DataSize packetSize = DataSize.ofKilobytes(8);

		public @Nullable String getSecret() {
			return this.secret;
		}

		public void setSecret(@Nullable String secret) {
			this.secret = secret;
		}

		public DataSize getPacketSize() {
			return this.packetSize;
		}

		public void setPacketSize(DataSize packetSize) {
			this.packetSize = packetSize;
		}

		@Override
		public String toString() {
			// A bound object may be logged (a binding failure, a debugger): the secret stays out of it.
			return "Ajp13[secret=" + ((this.secret != null) ? "(set)" : "(none)") + ", packetSize=" + this.packetSize
					+ "]";
		}

	}

	/**
	 * What a route of protocol http sends its backends.
	 */
	public static class Http {

		/**
		 * Host header sent to the backends instead of the client's, as nginx's proxy_set_header Host; unset, the
		 * client's Host goes on.
		 */
		private @Nullable String host;

		/**
		 * Whether WebSocket upgrades are passed through to the backends (lighttpd's proxy.header "upgrade"); when
		 * false, Upgrade is removed like any hop-by-hop header.
		 */
		private boolean websocket = true;

		public boolean isWebsocket() {
			return this.websocket;
		}

		public void setWebsocket(boolean websocket) {
			this.websocket = websocket;
		}

		public @Nullable String getHost() {
			return this.host;
		}

		public void setHost(@Nullable String host) {
			this.host = host;
		}

	}

	/**
	 * Background checks of a route's backends: a disabled backend is probed when its disable-time has passed, an
	 * idle active one every interval, so that the pool's health is true without traffic.
	 */
	public static class HealthCheck {

		/**
		 * Whether the route's backends are checked in the background; without, only requests find out.
		 */
		private boolean enabled = true;

		/**
		 * How long an active backend may go without answering a request before it is checked.
		 */
		private Duration interval = Duration.ofSeconds(10);

		/**
		 * How long one check may take; the route's connect-timeout unless set.
		 */
		private @Nullable Duration timeout;

		/**
		 * Whether the pool's health counts in the application's overall status; when false it still shows under
		 * lighttpd/<route> and in the health groups that include it.
		 */
		private boolean affectsOverallStatus = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public boolean isAffectsOverallStatus() {
			return this.affectsOverallStatus;
		}

		public void setAffectsOverallStatus(boolean affectsOverallStatus) {
			this.affectsOverallStatus = affectsOverallStatus;
		}

	}

	/**
	 * One backend of a route.
	 */
	public static class Backend {

		/**
		 * Address of the backend: host:port, [ipv6]:port or unix:/path/to/socket.
		 */
		private @Nullable String address;

		/**
		 * Relative share of requests under round-robin, shortest-queue and hash balancing.
		 */
		private int weight = 1;

		/**
		 * Most connections open to this backend at once. Keep it at or below php-fpm's pm.max_children: each kept
		 * connection holds a worker, and a connection beyond the workers waits in php-fpm's backlog.
		 */
		private int maxConnections = 4;

		/**
		 * A backend whose settings are bound one by one.
		 */
		public Backend() {
		}

		/**
		 * A backend at {@code address} with the default weight and connections: a route's backends may then be given
		 * as one comma-separated list of addresses ({@code backends: 127.0.0.1:9000,127.0.0.1:9001}).
		 * @param address where the backend listens
		 */
		public Backend(String address) {
			this.address = address;
		}

		public @Nullable String getAddress() {
			return this.address;
		}

		public void setAddress(String address) {
			this.address = address;
		}

		public int getWeight() {
			return this.weight;
		}

		public void setWeight(int weight) {
			this.weight = weight;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
		}

	}

	/**
	 * How a route chooses among its backends.
	 */
	public enum Balance {

		/** Smooth weighted round-robin, as nginx's. */
		ROUND_ROBIN,

		/** Fewest requests in flight and waiting, ties in turn: lighttpd's "fair". */
		SHORTEST_QUEUE,

		/** The first usable backend in configured order: pure fail-over. */
		STATIC,

		/** A consistent hash of the request path. */
		HASH;

		/**
		 * Return the policy's name as configured, for example {@code round-robin}.
		 */
		public String policy() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	/**
	 * Local backend processes of a route, as lighttpd's bin-path.
	 */
	public static class Spawn {

		/**
		 * Command that starts one backend process; "{address}" is replaced by the path of the Unix socket it must
		 * listen on, for example [php-cgi, -b, "{address}"]. Empty: nothing is spawned.
		 */
		private List<String> command = new ArrayList<>();

		/**
		 * How many processes to start, each on its own socket and each a backend of the route.
		 */
		private int processes = 1;

		/**
		 * Environment variables added to the server's own for the processes, for example PHP_FCGI_CHILDREN.
		 */
		private Map<String, String> environment = new LinkedHashMap<>();

		/**
		 * Most connections open to each process at once (php-cgi serves PHP_FCGI_CHILDREN at once, 1 without).
		 */
		private int maxConnections = 1;

		public List<String> getCommand() {
			return this.command;
		}

		public void setCommand(List<String> command) {
			this.command = command;
		}

		public int getProcesses() {
			return this.processes;
		}

		public void setProcesses(int processes) {
			this.processes = processes;
		}

		public Map<String, String> getEnvironment() {
			return this.environment;
		}

		public void setEnvironment(Map<String, String> environment) {
			this.environment = environment;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
		}

	}

	/**
	 * Where a gateway route's backend is called, relative to the application's own WebFilters.
	 */
	public enum Dispatch {

		/**
		 * Through WebFlux as any request: every WebFilter sees it, then the gateway's mapping calls the backend.
		 */
		WEBFLUX,

		/**
		 * A bodiless GET (HTTP/1.1 kept alive, no Range or precondition, no forwarding header) whose route calls
		 * its backend at once calls it from the connection's pipeline, before Reactor Netty's HTTP handling and
		 * WebFlux; an answer that came whole is written from there, every other (X-Sendfile, a body still coming,
		 * a backend's failure) is answered by the gateway's mapping as always. The application's WebFilters (Spring
		 * Security's too) and the {@code http.server.requests} observation never see such requests.
		 */
		NETTY

	}

}
