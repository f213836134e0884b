package dev.lighttpdboot.gateway.ajp13;

import java.time.Duration;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.connection.ExchangeRouter;
import dev.lighttpdboot.gateway.connection.RoutedConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.Connection;

/**
 * One connection to an AJP13 container (Tomcat's AJP connector). It carries one request at a time, as the protocol
 * says, and stays open between requests when the container's END_RESPONSE says so.
 * <p>Everything a request does on the connection happens on the connection's event loop, driven by an
 * {@link Ajp13Exchange}. The socket is read only while the response head or a body chunk is awaited, so a slow
 * client of a large response holds back the container; the read timeout runs while a read is wanted and nothing
 * arrives.
 */
final class Ajp13Connection extends RoutedConnection<Ajp13Connection, Ajp13Exchange> {

	private static final Log logger = LogFactory.getLog(Ajp13Connection.class);

	static final String DECODER_NAME = "lighttpd.ajp13.decoder";

	static final String ROUTER_NAME = "lighttpd.ajp13.router";

	Ajp13Connection(Connection connection, Duration readTimeout, int packetSize) {
		super(connection, DECODER_NAME, new Ajp13ResponseDecoder(packetSize), ROUTER_NAME,
				new PacketRouter(readTimeout));
	}

	@Override
	protected Ajp13Connection self() {
		return this;
	}

	/**
	 * Hands the packets of the current response to its exchange.
	 */
	private static final class PacketRouter extends ExchangeRouter<Ajp13Connection, Ajp13Exchange> {

		PacketRouter(Duration readTimeout) {
			super(readTimeout, logger, "container", "the container closed the connection before END_RESPONSE",
					"Connection to an AJP13 container failed");
		}

		@Override
		protected void route(Ajp13Exchange exchange, Object msg) {
			if (!(msg instanceof Ajp13Packet packet)) {
				discard(msg);
				return;
			}
			if (packet instanceof Ajp13Packet.Malformed malformed) {
				fail(BackendException.broken("malformed AJP13 response: " + malformed.reason(),
						!exchange.responseStarted(), null));
				return;
			}
			exchange.received(packet);
		}

	}

}
