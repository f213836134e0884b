package dev.lighttpdboot.gateway.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

import dev.lighttpdboot.gateway.BackendException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.channel.AbortedException;

/**
 * Turns what Reactor Netty's HTTP client reports into the gateway's failure kinds, so that fail-over, disable-time,
 * the retry of safe methods and the 502/503/504 answers work as for every other protocol.
 * <ul>
 * <li>This server's queue for the backend full, or the wait in it too long: {@code QUEUE_FULL} (nothing
 * disabled, the request tries another backend).</li>
 * <li>No connection (refused, timed out, unknown host): {@code NOT_TAKEN} (503, the backend rests, the request goes
 * on).</li>
 * <li>Silence longer than the read timeout: {@code TIMEOUT} (504).</li>
 * <li>The connection closed or reset before the response head: {@code CONNECTION_LOST} (502; a safe request that
 * was on a kept-alive connection is sent again).</li>
 * <li>Anything else, a malformed or oversized head included: {@code BROKEN} (502).</li>
 * </ul>
 */
final class HttpBackendFailures {

	private HttpBackendFailures() {
	}

	/**
	 * Map a failure.
	 * @param backend the backend's name, for the reason
	 * @param ex what Reactor Netty reported
	 * @param headSeen whether the response head had arrived
	 * @param queueLimit the backend's queue limit, for the reason
	 */
	static BackendException map(String backend, Throwable ex, boolean headSeen, int queueLimit) {
		if (ex instanceof BackendException known) {
			return known;
		}
		String cause = BackendException.describe(ex);
		// Reactor Netty shades reactor-pool: its pool's exceptions are known by their simple names.
		String type = ex.getClass().getSimpleName();
		if (type.equals("PoolAcquirePendingLimitException")) {
			return BackendException.queueFull("all connections to " + backend + " busy and " + queueLimit
					+ " requests waiting");
		}
		if (type.equals("PoolAcquireTimeoutException")) {
			return BackendException.queueFull("no connection to " + backend + " became free in time");
		}
		if (!headSeen && isConnectFailure(ex)) {
			return BackendException.unavailable("cannot connect to " + backend + " (" + cause + ")", ex);
		}
		if (ex instanceof ReadTimeoutException) {
			return BackendException.timeout("no answer from " + backend + " within the read timeout", !headSeen);
		}
		if (headSeen) {
			return BackendException.broken("the response from " + backend + " broke off (" + cause + ")", false, ex);
		}
		if (ex instanceof DecoderException || ex instanceof IllegalArgumentException) {
			return BackendException.broken("invalid response head from " + backend + " (" + cause + ")", false, ex);
		}
		if (ex instanceof IOException || ex instanceof AbortedException) {
			// PrematureCloseException, a reset: the connection, not the request, is what failed.
			return BackendException.connectionLost(backend + " closed the connection before a response (" + cause
					+ ")", ex);
		}
		return BackendException.broken("the exchange with " + backend + " failed (" + cause + ")", true, ex);
	}

	private static boolean isConnectFailure(Throwable ex) {
		// Netty's ConnectTimeoutException is a ConnectException too.
		return ex instanceof ConnectException || ex instanceof NoRouteToHostException
				|| ex instanceof UnknownHostException || ex instanceof UnresolvedAddressException;
	}

}
