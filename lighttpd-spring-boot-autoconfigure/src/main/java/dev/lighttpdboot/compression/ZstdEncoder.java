package dev.lighttpdboot.compression;

import java.io.IOException;
import java.io.OutputStream;

import com.github.luben.zstd.ZstdOutputStream;
import com.github.luben.zstd.util.Native;
import org.jspecify.annotations.Nullable;

/**
 * Zstandard from zstd-jni, the library Netty's own {@code ZstdEncoder} uses. Only loaded when zstd-jni is on the
 * class path.
 */
final class ZstdEncoder implements ContentEncoder {

	private final int level;

	private ZstdEncoder(int level) {
		this.level = level;
	}

	/**
	 * Load the native library (this may write it to a temporary file: call at start-up) and create the encoder.
	 * @return the encoder, or {@code null} with the reason in {@code reason[0]}
	 */
	static @Nullable ZstdEncoder create(int level, Throwable[] reason) {
		if (level < 1 || level > 22) {
			throw new IllegalArgumentException("zstd level must be 1 to 22, not " + level);
		}
		try {
			Native.load();
		}
		catch (UnsatisfiedLinkError | RuntimeException ex) {
			reason[0] = ex;
			return null;
		}
		return new ZstdEncoder(level);
	}

	@Override
	public ContentCoding coding() {
		return ContentCoding.ZSTD;
	}

	@Override
	public OutputStream open(OutputStream sink) throws IOException {
		return new ZstdOutputStream(sink, this.level);
	}

}
