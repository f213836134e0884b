package dev.lighttpdboot.compression;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * The encoders this server can use, in its order of preference. gzip is always there (the JDK); Brotli and
 * Zstandard are there when their libraries (brotli4j with its native library, zstd-jni) are on the class path, and
 * a configured coding whose library is missing is left out with one log line saying why.
 */
public final class ContentEncoders {

	private static final Log logger = LogFactory.getLog(ContentEncoders.class);

	private final List<ContentCoding> codings;

	private final Map<ContentCoding, ContentEncoder> encoders;

	/**
	 * Use the given encoders, in this order of preference.
	 */
	public ContentEncoders(List<ContentEncoder> encoders) {
		this.encoders = new EnumMap<>(ContentCoding.class);
		List<ContentCoding> order = new ArrayList<>();
		for (ContentEncoder encoder : encoders) {
			if (this.encoders.putIfAbsent(encoder.coding(), encoder) == null) {
				order.add(encoder.coding());
			}
		}
		this.codings = List.copyOf(order);
	}

	/**
	 * Find the libraries for the wanted codings; this loads native libraries, so call it at start-up.
	 * @param wanted the codings, most preferred first
	 * @param gzipLevel the gzip level (1-9)
	 * @param brotliQuality the Brotli quality (0-11)
	 * @param zstdLevel the Zstandard level (1-22)
	 * @return the encoders that are available
	 */
	public static ContentEncoders detect(List<ContentCoding> wanted, int gzipLevel, int brotliQuality, int zstdLevel) {
		return detect(ContentEncoders.class.getClassLoader(), wanted, gzipLevel, brotliQuality, zstdLevel);
	}

	/**
	 * Find the libraries for the wanted codings on a class loader; this loads native libraries, so call it at
	 * start-up.
	 * @param classLoader where the libraries are looked for
	 * @param wanted the codings, most preferred first
	 * @param gzipLevel the gzip level (1-9)
	 * @param brotliQuality the Brotli quality (0-11)
	 * @param zstdLevel the Zstandard level (1-22)
	 * @return the encoders that are available
	 */
	public static ContentEncoders detect(@Nullable ClassLoader classLoader, List<ContentCoding> wanted, int gzipLevel,
			int brotliQuality, int zstdLevel) {
		List<ContentEncoder> found = new ArrayList<>();
		for (ContentCoding coding : wanted) {
			Throwable[] reason = new Throwable[1];
			ContentEncoder encoder = switch (coding) {
				case GZIP -> new GzipEncoder(gzipLevel);
				case BR -> ClassUtils.isPresent("com.aayushatharva.brotli4j.Brotli4jLoader", classLoader)
						? BrotliEncoder.create(brotliQuality, reason) : missing(coding, "brotli4j is not on the class path");
				case ZSTD -> ClassUtils.isPresent("com.github.luben.zstd.ZstdOutputStream", classLoader)
						? ZstdEncoder.create(zstdLevel, reason) : missing(coding, "zstd-jni is not on the class path");
			};
			if (encoder != null) {
				found.add(encoder);
			}
			else if (reason[0] != null) {
				logger.warn("Content coding " + coding.token() + " is off: its native library did not load ("
						+ reason[0] + ")");
			}
		}
		ContentEncoders result = new ContentEncoders(found);
		logger.info("Compression codings, in order of preference: "
				+ result.codings().stream().map(ContentCoding::token).toList());
		return result;
	}

	private static @Nullable ContentEncoder missing(ContentCoding coding, String why) {
		logger.info("Content coding " + coding.token() + " is off: " + why);
		return null;
	}

	/**
	 * Return the available codings, most preferred first.
	 */
	public List<ContentCoding> codings() {
		return this.codings;
	}

	/**
	 * Return the encoder of a coding, or {@code null} if it is not available.
	 */
	public @Nullable ContentEncoder get(ContentCoding coding) {
		return this.encoders.get(coding);
	}

}
