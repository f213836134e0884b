package dev.lighttpdboot.compression;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces one content coding with a compression library. The stream it opens compresses what is written to it
 * into a sink; {@code flush()} pushes out everything written so far (a sync flush), and {@code close()} finishes
 * the encoded stream and closes the sink.
 */
public interface ContentEncoder {

	/**
	 * Return the coding this encoder produces.
	 */
	ContentCoding coding();

	/**
	 * Open a compressing stream over a sink.
	 * @param sink where the encoded bytes go
	 * @return the stream to write the plain bytes to
	 * @throws IOException if the library fails to start
	 */
	OutputStream open(OutputStream sink) throws IOException;

}
