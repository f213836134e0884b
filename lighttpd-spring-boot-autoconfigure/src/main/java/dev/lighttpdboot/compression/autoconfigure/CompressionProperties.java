package dev.lighttpdboot.compression.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of compression ({@code lighttpd.compression}): the compressed-file cache, precompressed siblings,
 * dynamic responses and bundles.
 */
@ConfigurationProperties("lighttpd.compression")
public class CompressionProperties {

	/**
	 * Whether responses are compressed (static files through the cache, precompressed siblings).
	 */
	private boolean enabled = false;

	/**
	 * Content codings offered, in the server's order of preference when the client weighs them equally (gzip, br,
	 * zstd); br and zstd need brotli4j and zstd-jni on the class path.
	 */
	private List<String> encodings = new ArrayList<>(List.of("br", "zstd", "gzip"));

	/**
	 * Media types that are compressed; a wildcard such as text/* covers a family.
	 */
	private List<String> mimeTypes = new ArrayList<>(List.of("text/html", "text/css", "text/plain", "text/xml",
			"text/javascript", "application/javascript", "application/json", "application/xml",
			"image/svg+xml"));

	/**
	 * Smallest body that is compressed.
	 */
	private DataSize minSize = DataSize.ofBytes(256);

	/**
	 * Largest static file that is compressed (larger ones are sent as they are).
	 */
	private DataSize maxSize = DataSize.ofMegabytes(10);

	/**
	 * gzip level, 1 (fastest) to 9 (smallest).
	 */
	private int gzipLevel = 6;

	/**
	 * Brotli quality, 0 to 11 (5 as lighttpd's default; 11 is very slow).
	 */
	private int brotliQuality = 5;

	/**
	 * Zstandard level, 1 to 22.
	 */
	private int zstdLevel = 3;

	/**
	 * Directory for compressed copies of static files; created with mode 0700 if missing (default: a new directory
	 * under java.io.tmpdir, removed at shutdown).
	 */
	private @Nullable Path cacheDir;

	/**
	 * Bound on the total size of the compressed copies; the least recently used are deleted beyond it.
	 */
	private DataSize cacheMaxSize = DataSize.ofMegabytes(256);

	/**
	 * Whether precompressed siblings (app.js.br, app.js.zst, app.js.gz) are sent when present and not older than
	 * the file.
	 */
	private boolean precompressed = true;

	/**
	 * How long the presence or absence of a precompressed sibling is trusted before it is checked again.
	 */
	private Duration precompressedCheckInterval = Duration.ofSeconds(1);

	/**
	 * Compression of responses written by handlers and gateway routes.
	 */
	private final Dynamic dynamic = new Dynamic();

	/**
	 * Concatenation of files requested as /dir/??a.js,b.js (Tengine's syntax).
	 */
	private final Bundles bundles = new Bundles();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<String> getEncodings() {
		return this.encodings;
	}

	public void setEncodings(List<String> encodings) {
		this.encodings = encodings;
	}

	public List<String> getMimeTypes() {
		return this.mimeTypes;
	}

	public void setMimeTypes(List<String> mimeTypes) {
		this.mimeTypes = mimeTypes;
	}

	public DataSize getMinSize() {
		return this.minSize;
	}

	public void setMinSize(DataSize minSize) {
		this.minSize = minSize;
	}

	public DataSize getMaxSize() {
		return this.maxSize;
	}

	public void setMaxSize(DataSize maxSize) {
		this.maxSize = maxSize;
	}

	public int getGzipLevel() {
		return this.gzipLevel;
	}

	public void setGzipLevel(int gzipLevel) {
		this.gzipLevel = gzipLevel;
	}

	public int getBrotliQuality() {
		return this.brotliQuality;
	}

	public void setBrotliQuality(int brotliQuality) {
		this.brotliQuality = brotliQuality;
	}

	public int getZstdLevel() {
		return this.zstdLevel;
	}

	public void setZstdLevel(int zstdLevel) {
		this.zstdLevel = zstdLevel;
	}

	public @Nullable Path getCacheDir() {
		return this.cacheDir;
	}

	public void setCacheDir(@Nullable Path cacheDir) {
		this.cacheDir = cacheDir;
	}

	public DataSize getCacheMaxSize() {
		return this.cacheMaxSize;
	}

	public void setCacheMaxSize(DataSize cacheMaxSize) {
		this.cacheMaxSize = cacheMaxSize;
	}

	public boolean isPrecompressed() {
		return this.precompressed;
	}

	public void setPrecompressed(boolean precompressed) {
		this.precompressed = precompressed;
	}

	public Duration getPrecompressedCheckInterval() {
		return this.precompressedCheckInterval;
	}

	public void setPrecompressedCheckInterval(Duration precompressedCheckInterval) {
		this.precompressedCheckInterval = precompressedCheckInterval;
	}

	public Dynamic getDynamic() {
		return this.dynamic;
	}

	public Bundles getBundles() {
		return this.bundles;
	}

	/**
	 * Compression of responses written by handlers and gateway routes.
	 */
	public static class Dynamic {

		/**
		 * Whether responses of handlers and gateway routes with a compressible type are compressed while they
		 * stream.
		 */
		private boolean enabled = false;

		/**
		 * Path patterns (PathPattern syntax) whose responses are compressed; empty means every path.
		 */
		private List<String> paths = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getPaths() {
			return this.paths;
		}

		public void setPaths(List<String> paths) {
			this.paths = paths;
		}

	}

	/**
	 * Concatenation of files requested as /dir/??a.js,b.js (Tengine's syntax).
	 */
	public static class Bundles {

		/**
		 * Whether /dir/??a.js,b.js answers the files of the document root concatenated.
		 */
		private boolean enabled = false;

		/**
		 * Most files in one bundle; more is answered 400.
		 */
		private int maxFiles = 10;

		/**
		 * Media types a bundle may have; all its files must share one.
		 */
		private List<String> types = new ArrayList<>(List.of("text/javascript", "application/javascript", "text/css"));

		/**
		 * Text inserted between two files (not after the last), such as a newline.
		 */
		private String delimiter = "";

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

		public List<String> getTypes() {
			return this.types;
		}

		public void setTypes(List<String> types) {
			this.types = types;
		}

		public String getDelimiter() {
			return this.delimiter;
		}

		public void setDelimiter(String delimiter) {
			this.delimiter = delimiter;
		}

	}

}
