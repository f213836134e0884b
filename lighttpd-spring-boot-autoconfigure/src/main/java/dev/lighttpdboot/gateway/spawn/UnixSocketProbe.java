package dev.lighttpdboot.gateway.spawn;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Tells whether something accepts connections on a Unix-domain socket.
 */
final class UnixSocketProbe {

	private UnixSocketProbe() {
	}

	/**
	 * Connect to {@code socket} and close the connection at once, without a byte, so that a FastCGI worker that
	 * accepted it goes back to {@code accept()} instead of waiting for a request.
	 */
	static boolean accepts(Path socket) {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			// Non-blocking: a blocking connect waits while the listener's backlog is full. A pending connect means
			// a listener exists, so it counts as accepting.
			channel.configureBlocking(false);
			channel.connect(UnixDomainSocketAddress.of(socket));
			return true;
		}
		catch (IOException ex) {
			// No socket file yet, or nobody listening on it (ECONNREFUSED).
			return false;
		}
	}

}
