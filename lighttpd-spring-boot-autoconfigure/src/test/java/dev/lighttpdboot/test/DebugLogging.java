package dev.lighttpdboot.test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a logger to DEBUG for the length of a try-with-resources block: refusals are logged at DEBUG, and the tests
 * that check what such a line says (and what it must never say) need to see it.
 */
public final class DebugLogging implements AutoCloseable {

	private final Logger logger;

	private final Level previous;

	private DebugLogging(Class<?> type) {
		this.logger = (Logger) LoggerFactory.getLogger(type);
		this.previous = this.logger.getLevel();
		this.logger.setLevel(Level.DEBUG);
	}

	/**
	 * Log {@code type}'s lines at DEBUG until {@link #close()}.
	 */
	public static DebugLogging of(Class<?> type) {
		return new DebugLogging(type);
	}

	@Override
	public void close() {
		this.logger.setLevel(this.previous);
	}

}
