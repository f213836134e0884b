package dev.lighttpdboot.compression;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * gzip from the JDK's {@link java.util.zip.Deflater}, always available.
 */
public final class GzipEncoder implements ContentEncoder {

	private final int level;

	/**
	 * Create the encoder.
	 * @param level the deflate level, 1 (fastest) to 9 (smallest)
	 */
	public GzipEncoder(int level) {
		if (level < 1 || level > 9) {
			throw new IllegalArgumentException("gzip level must be 1 to 9, not " + level);
		}
		this.level = level;
	}

	@Override
	public ContentCoding coding() {
		return ContentCoding.GZIP;
	}

	@Override
	public OutputStream open(OutputStream sink) throws IOException {
		// syncFlush: flush() emits what was written so far, which streaming responses need.
		return new LeveledGzipOutputStream(sink, this.level);
	}

	private static final class LeveledGzipOutputStream extends GZIPOutputStream {

		LeveledGzipOutputStream(OutputStream sink, int level) throws IOException {
			super(sink, 8192, true);
			this.def.setLevel(level);
		}

	}

}
