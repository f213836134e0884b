package dev.lighttpdboot.files.autoconfigure;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of file delivery, shared by every feature that sends files.
 */
@ConfigurationProperties("lighttpd")
public class FilesProperties {

	/**
	 * Directory served at "/" by the static files handler. Relative paths resolve against the working directory.
	 */
	private @Nullable Path documentRoot;

	private final Files files = new Files();

	public @Nullable Path getDocumentRoot() {
		return this.documentRoot;
	}

	public void setDocumentRoot(@Nullable Path documentRoot) {
		this.documentRoot = documentRoot;
	}

	public Files getFiles() {
		return this.files;
	}

	/**
	 * Content types and the scheduler for blocking file-system calls.
	 */
	public static class Files {

		/**
		 * Content types by file extension, added to or replacing the built-in table, for example
		 * "flv: video/x-flv".
		 */
		private Map<String, String> mimeTypes = new LinkedHashMap<>();

		/**
		 * Charset added to textual content types (text/*, JSON, XML, JavaScript) that name none.
		 */
		private Charset textCharset = StandardCharsets.UTF_8;

		/**
		 * Number of threads for blocking file-system calls (stat, realpath, open, directory reads), all started
		 * with the application.
		 */
		private int ioThreads = 16;

		/**
		 * Maximum number of file-system tasks waiting on each of those threads; beyond it requests get 503
		 * instead of queueing.
		 */
		private int ioQueueSize = 10_000;

		/**
		 * How long a file found by a lookup (realpath, root check and stat) is trusted before it is looked up
		 * again, as lighttpd's stat cache does for one second; 0 looks up every request. Within this window a
		 * changed, replaced or removed file is still described by the old lookup.
		 */
		private Duration statCacheValidity = Duration.ofSeconds(1);

		/**
		 * Maximum number of lookups the stat cache remembers; beyond it, the least likely to be asked for again are evicted.
		 */
		private int statCacheSize = 10_000;

		private final MemoryCache memoryCache = new MemoryCache();

		private final OpenFileCache openFileCache = new OpenFileCache();

		/**
		 * Where GET and HEAD requests for the document root's files and for signed links are answered: "webflux"
		 * (through every WebFilter, document root after the application's handlers), "direct" (ahead of every
		 * WebFilter and handler of the application, which then never see those requests) or "netty" (as direct,
		 * and plain requests for whole files answered in the connection's pipeline, before Reactor Netty's HTTP
		 * handling and WebFlux).
		 */
		private Dispatch dispatch = Dispatch.WEBFLUX;

		public Map<String, String> getMimeTypes() {
			return this.mimeTypes;
		}

		public void setMimeTypes(Map<String, String> mimeTypes) {
			this.mimeTypes = mimeTypes;
		}

		public Charset getTextCharset() {
			return this.textCharset;
		}

		public void setTextCharset(Charset textCharset) {
			this.textCharset = textCharset;
		}

		public int getIoThreads() {
			return this.ioThreads;
		}

		public void setIoThreads(int ioThreads) {
			this.ioThreads = ioThreads;
		}

		public int getIoQueueSize() {
			return this.ioQueueSize;
		}

		public void setIoQueueSize(int ioQueueSize) {
			this.ioQueueSize = ioQueueSize;
		}

		public Duration getStatCacheValidity() {
			return this.statCacheValidity;
		}

		public void setStatCacheValidity(Duration statCacheValidity) {
			this.statCacheValidity = statCacheValidity;
		}

		public int getStatCacheSize() {
			return this.statCacheSize;
		}

		public void setStatCacheSize(int statCacheSize) {
			this.statCacheSize = statCacheSize;
		}

		public MemoryCache getMemoryCache() {
			return this.memoryCache;
		}

		public OpenFileCache getOpenFileCache() {
			return this.openFileCache;
		}

		public Dispatch getDispatch() {
			return this.dispatch;
		}

		public void setDispatch(Dispatch dispatch) {
			this.dispatch = dispatch;
		}

	}

	/**
	 * Where requests for files are answered, relative to the application's own WebFilters and handlers.
	 */
	public enum Dispatch {

		/**
		 * Through WebFlux as any request: every WebFilter sees it (signed links are served by an early filter, the
		 * document root after the application's handlers).
		 */
		WEBFLUX,

		/**
		 * Ahead of the application: a GET or HEAD for a regular file of the document root and every request
		 * under the signed-link prefix are answered before any WebFilter or handler of the application.
		 */
		DIRECT,

		/**
		 * As {@link #DIRECT}, and a GET or HEAD for a file of the document root (or of a valid signed link) that
		 * needs no decision but, at most, whether the client's copy is current (no Range, {@code If-Match} or
		 * {@code If-Unmodified-Since}, no compression, HTTP/1.1 kept alive) is answered in the connection's
		 * pipeline, before Reactor Netty's HTTP handling and WebFlux: with the file, its head for a HEAD, or 304 for a
		 * GET whose copy is current. Neither the {@code http.server.requests} observation nor Reactor Netty's
		 * keep-alive request count sees it; the access log writes its line.
		 */
		NETTY

	}

	/**
	 * The bytes of small files, kept in memory and sent with their headers in one write; larger files are sent
	 * with sendfile(2).
	 */
	public static class MemoryCache {

		/**
		 * Whether small files are sent from memory. When off, every file is sent from its descriptor.
		 */
		private boolean enabled = true;

		/**
		 * Largest file kept in memory; larger files are sent with sendfile(2).
		 */
		private DataSize maxFileSize = DataSize.ofKilobytes(16);

		/**
		 * Memory for the kept files, all together (off-heap); beyond it the least recently used files are dropped.
		 */
		private DataSize maxTotalSize = DataSize.ofMegabytes(16);

		/**
		 * How long a check that found a kept file unchanged (an lstat of its path) also answers later requests,
		 * which then need no hop to the file-system scheduler. 0 checks for every request, so a changed file is
		 * never answered with its old bytes; above 0, a file changed within that time may be, as lighttpd trusts
		 * its stat cache for a second.
		 */
		private Duration checkValidity = Duration.ZERO;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public DataSize getMaxFileSize() {
			return this.maxFileSize;
		}

		public void setMaxFileSize(DataSize maxFileSize) {
			this.maxFileSize = maxFileSize;
		}

		public DataSize getMaxTotalSize() {
			return this.maxTotalSize;
		}

		public void setMaxTotalSize(DataSize maxTotalSize) {
			this.maxTotalSize = maxTotalSize;
		}

		public Duration getCheckValidity() {
			return this.checkValidity;
		}

		public void setCheckValidity(Duration checkValidity) {
			this.checkValidity = checkValidity;
		}

	}

	/**
	 * Descriptors of files sent with sendfile(2), kept open between requests instead of opened and closed for each
	 * (nginx's open_file_cache). Every request still checks, with an lstat, that the file is the one opened.
	 */
	public static class OpenFileCache {

		/**
		 * Whether descriptors are kept open between requests. Off by default, as in nginx: a kept descriptor holds
		 * a deleted file's space until it is let go.
		 */
		private boolean enabled;

		/**
		 * Descriptors kept at most; beyond it the one asked for least recently is let go.
		 */
		private int maxFiles = 256;

		/**
		 * How long a descriptor nobody asks for stays open (and so how long a deleted file's space may be held
		 * after its last request, plus up to a quarter of this).
		 */
		private Duration inactive = Duration.ofSeconds(20);

		/**
		 * How long a check that found a kept descriptor's file unchanged (an lstat of its path) also answers later
		 * requests, which then need no hop to the file-system scheduler (nginx's open_file_cache_valid). 0 checks
		 * for every request; above 0, a file changed within that time may still be sent from the old descriptor.
		 * Must be shorter than the inactive time.
		 */
		private Duration checkValidity = Duration.ZERO;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxFiles() {
			return this.maxFiles;
		}

		public void setMaxFiles(int maxFiles) {
			this.maxFiles = maxFiles;
		}

		public Duration getInactive() {
			return this.inactive;
		}

		public void setInactive(Duration inactive) {
			this.inactive = inactive;
		}

		public Duration getCheckValidity() {
			return this.checkValidity;
		}

		public void setCheckValidity(Duration checkValidity) {
			this.checkValidity = checkValidity;
		}

	}

}
