package dev.lighttpdboot.gateway.fastcgi;

import java.time.Duration;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.connection.ExchangeRouter;
import dev.lighttpdboot.gateway.connection.RoutedConnection;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.Connection;

/**
 * One connection to a FastCGI backend. It carries one request at a time, always with request id 1 (php-fpm and
 * most backends do not multiplex), and stays open between requests when the backend honours
 * {@code FCGI_KEEP_CONN}.
 * <p>Everything a request does on the connection happens on the connection's event loop, driven by a
 * {@link FastCgiExchange}: no operator chain sits between the socket and the response.
 * <p>Reading follows demand: the socket is read only while the response head is awaited or the consumer of the
 * body has asked for more, so a slow client of a large response holds back the backend instead of filling the
 * heap. The read timeout runs while a read is wanted and nothing arrives, as nginx's
 * {@code fastcgi_read_timeout} measures the time between two reads from the backend: a client that reads slowly
 * does not make the backend look silent.
 */
public final class FastCgiConnection extends RoutedConnection<FastCgiConnection, FastCgiExchange> {

	private static final Log logger = LogFactory.getLog(FastCgiConnection.class);

	static final int REQUEST_ID = 1;

	static final String CODEC_NAME = "lighttpd.fastcgi.codec";

	static final String ROUTER_NAME = "lighttpd.fastcgi.router";

	FastCgiConnection(Connection connection, Duration readTimeout) {
		super(connection, CODEC_NAME, new FastCgiClientCodec(), ROUTER_NAME, new ResponseRouter(readTimeout));
	}

	@Override
	protected FastCgiConnection self() {
		return this;
	}

	/**
	 * Hands the records of the current response to its exchange.
	 */
	private static final class ResponseRouter extends ExchangeRouter<FastCgiConnection, FastCgiExchange> {

		ResponseRouter(Duration readTimeout) {
			super(readTimeout, logger, "backend", "backend closed the connection before END_REQUEST",
					"Connection to a FastCGI backend failed");
		}

		@Override
		protected void route(FastCgiExchange exchange, Object msg) {
			if (!(msg instanceof FastCgiResponsePart part) || !isForThisRequest(part)) {
				ReferenceCountUtil.release(msg);
				fail(BackendException.broken("a FastCGI record for another request", !exchange.responseStarted(),
						null));
				return;
			}
			if (part instanceof FastCgiDecodingFailure failure) {
				fail(BackendException.broken("malformed FastCGI response: " + failure.reason(),
						!exchange.responseStarted(), null));
				return;
			}
			exchange.received(part);
		}

		private static boolean isForThisRequest(FastCgiResponsePart part) {
			int requestId = (part instanceof FastCgiStdout stdout) ? stdout.requestId()
					: (part instanceof FastCgiStderr stderr) ? stderr.requestId()
					: (part instanceof FastCgiEndRequest end) ? end.requestId() : REQUEST_ID;
			return requestId == REQUEST_ID;
		}

	}

}
