package dev.lighttpdboot.server;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Holds the number of open connections of one server at a limit: a connection accepted above it is closed at
 * once, before it is read, so a flood of idle connections cannot exhaust file descriptors and memory while the
 * connections already held are served. Refusals are logged at DEBUG (a flood must not flood the log) and counted.
 */
final class ConnectionLimit {

	private static final Log logger = LogFactory.getLog(ConnectionLimit.class);

	private final int max;

	private final ServerRefusals refusals;

	private final AtomicInteger open = new AtomicInteger();

	ConnectionLimit(int max, ServerRefusals refusals) {
		this.max = max;
		this.refusals = refusals;
	}

	/**
	 * Admit {@code channel} or close it.
	 * @return whether the channel was admitted
	 */
	boolean admit(Channel channel) {
		if (this.open.incrementAndGet() > this.max) {
			this.open.decrementAndGet();
			if (logger.isDebugEnabled()) {
				logger.debug("Connection limit of " + this.max + " reached, closing " + channel);
			}
			this.refusals.refused(ServerRefusals.CONNECTION_LIMIT);
			channel.config().setAutoRead(false);
			channel.close();
			return false;
		}
		channel.closeFuture().addListener((future) -> this.open.decrementAndGet());
		return true;
	}

	/** The number of connections held now. */
	int open() {
		return this.open.get();
	}

}
