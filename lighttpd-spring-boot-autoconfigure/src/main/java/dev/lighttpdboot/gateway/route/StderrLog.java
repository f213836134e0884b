package dev.lighttpdboot.gateway.route;

import java.util.function.LongSupplier;

import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;

/**
 * Writes a pool's backend STDERR output to the log at WARN, at most {@value #DEFAULT_LINES_PER_SECOND} lines per
 * second: a script that logs what a client sent must not let a flood of requests fill the disk. Lines beyond the
 * limit are counted, and the count is written, as {@code suppressed K lines}, before the next line that is
 * logged. The {@code lighttpd.gateway.stderr} metric counts every piece of output, logged or not.
 * <p>Called from event-loop threads; the lock is held only to count.
 */
final class StderrLog {

	/** Lines logged per second and pool. */
	static final int DEFAULT_LINES_PER_SECOND = 20;

	private static final long SECOND = 1_000_000_000L;

	private final Log logger;

	private final String pool;

	private final int linesPerSecond;

	private final LongSupplier nanoClock;

	private long windowStart;

	private int logged;

	private long suppressed;

	StderrLog(Log logger, String pool) {
		this(logger, pool, DEFAULT_LINES_PER_SECOND, System::nanoTime);
	}

	StderrLog(Log logger, String pool, int linesPerSecond, LongSupplier nanoClock) {
		this.logger = logger;
		this.pool = pool;
		this.linesPerSecond = linesPerSecond;
		this.nanoClock = nanoClock;
		this.windowStart = nanoClock.getAsLong() - SECOND;
	}

	/**
	 * Log one piece of STDERR output, unless this second's lines are used up.
	 * @param backend the backend's name
	 * @param script the script the request ran
	 * @param text what it wrote
	 */
	void log(String backend, String script, String text) {
		if (!this.logger.isWarnEnabled()) {
			return;
		}
		long dropped;
		synchronized (this) {
			long now = this.nanoClock.getAsLong();
			if (now - this.windowStart >= SECOND) {
				this.windowStart = now;
				this.logged = 0;
			}
			if (this.logged >= this.linesPerSecond) {
				this.suppressed++;
				return;
			}
			this.logged++;
			dropped = this.suppressed;
			this.suppressed = 0;
		}
		if (dropped > 0) {
			this.logger.warn("stderr of pool '" + this.pool + "': suppressed " + dropped + " lines (more than "
					+ this.linesPerSecond + " per second)");
		}
		// Backend output often echoes user input: escape it so it cannot forge log lines.
		this.logger.warn("stderr of " + backend + " for " + LogText.printable(script) + ": "
				+ LogText.printable(text));
	}

}
