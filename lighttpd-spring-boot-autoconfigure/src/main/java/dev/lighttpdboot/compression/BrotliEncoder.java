package dev.lighttpdboot.compression;

import java.io.IOException;
import java.io.OutputStream;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import org.jspecify.annotations.Nullable;

/**
 * Brotli from brotli4j, the library Netty's own {@code BrotliEncoder} uses. Only loaded when brotli4j is on the
 * class path; usable only when its native library for this platform loaded too.
 */
final class BrotliEncoder implements ContentEncoder {

	private final Encoder.Parameters parameters;

	private BrotliEncoder(int quality) {
		this.parameters = Encoder.Parameters.create(quality).setMode(Encoder.Mode.TEXT);
	}

	/**
	 * Load the native library (this may write it to a temporary file: call at start-up) and create the encoder.
	 * @return the encoder, or {@code null} with the reason in {@code reason[0]}
	 */
	static @Nullable BrotliEncoder create(int quality, Throwable[] reason) {
		if (quality < 0 || quality > 11) {
			throw new IllegalArgumentException("brotli quality must be 0 to 11, not " + quality);
		}
		if (!Brotli4jLoader.isAvailable()) {
			reason[0] = Brotli4jLoader.getUnavailabilityCause();
			return null;
		}
		return new BrotliEncoder(quality);
	}

	@Override
	public ContentCoding coding() {
		return ContentCoding.BR;
	}

	@Override
	public OutputStream open(OutputStream sink) throws IOException {
		return new BrotliOutputStream(sink, this.parameters);
	}

}
