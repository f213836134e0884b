package dev.lighttpdboot.accesslog;

import java.util.Collections;

import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.logging.AccessLog;
import reactor.netty.http.server.logging.AccessLogArgProvider;
import reactor.netty.http.server.logging.AccessLogFactory;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Reactor Netty's access log with lines in an {@link AccessLogFormat}: Reactor Netty calls it once a response has
 * been sent and writes the line to the logger {@code reactor.netty.http.server.AccessLog} at INFO, so where lines go
 * (a file, an asynchronous appender that keeps disk writes off the event loop, rotation) is the logging system's
 * configuration, not this server's.
 */
public final class FormattedAccessLogFactory implements AccessLogFactory {

	/** Reactor Netty's access-log logger: lines written here go where its lines go. */
	private static final Logger ACCESS_LOG = Loggers.getLogger("reactor.netty.http.server.AccessLog");

	private final AccessLogFormat format;

	/**
	 * Create the factory.
	 * @param format the format of the lines
	 */
	public FormattedAccessLogFactory(AccessLogFormat format) {
		this.format = format;
	}

	@Override
	public AccessLog apply(AccessLogArgProvider args) {
		// "{}": the line is a finished text, never a pattern with a client's braces in it.
		return AccessLog.create("{}", this.format.render(args, ExchangeAttributesHandoff.take(args.connectionInformation())));
	}

	/**
	 * Write the line of a request that Reactor Netty's access log never sees (one answered in the connection's
	 * pipeline, before Reactor Netty's HTTP handling), to the logger Reactor Netty writes its lines to.
	 */
	public void log(AccessLogArgProvider args) {
		if (ACCESS_LOG.isInfoEnabled()) {
			ACCESS_LOG.info("{}", this.format.render(args,
					(args instanceof PipelineAnswerArgs answer) ? answer.attributes() : Collections.emptyMap()));
		}
	}

	/**
	 * Return {@code server} with this access log turned on.
	 */
	public HttpServer install(HttpServer server) {
		return server.accessLog(true, this);
	}

}
