package dev.lighttpdboot.gateway.spool;

/**
 * How a route keeps the response bodies of its backends (nginx's {@code proxy_buffering}): read from the backend
 * as fast as it sends them into memory, then a temporary file, and given to the client at its own pace.
 *
 * @param enabled whether responses are buffered unless the backend asks otherwise ({@code X-Accel-Buffering})
 * @param inMemory the most bytes of one response kept in memory
 * @param maxTempFileSize the largest temporary file of one response; when it is full, the backend is read only as
 * fast as the client reads (0: no file)
 */
public record ResponseBufferPolicy(boolean enabled, long inMemory, long maxTempFileSize) {

	/** The defaults: on, 64 KiB in memory, at most 1 GiB in a file. */
	public static final ResponseBufferPolicy DEFAULT = new ResponseBufferPolicy(true, 64 * 1024,
			1024L * 1024 * 1024);

	/** Streaming with back-pressure: the backend is read only as fast as the client reads. */
	public static final ResponseBufferPolicy STREAMING = new ResponseBufferPolicy(false, 0, 0);

	public ResponseBufferPolicy {
		if (inMemory < 0 || maxTempFileSize < 0) {
			throw new IllegalArgumentException("response buffer sizes must not be negative");
		}
	}

}
