package dev.lighttpdboot.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import javax.net.SocketFactory;

/**
 * One client socket that a test drives by hand: it writes bytes when told, and can tell, without blocking for
 * long, whether the server has closed the connection. Everything the server sent is kept.
 */
final class RawConnection implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final ByteArrayOutputStream received = new ByteArrayOutputStream();

	private volatile boolean closedByServer;

	private RawConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
	}

	static RawConnection open(int port) throws IOException {
		return open(SocketFactory.getDefault(), port, 0);
	}

	/**
	 * Open a connection.
	 * @param factory plain or TLS sockets
	 * @param port the server's port
	 * @param receiveBuffer the socket receive buffer to ask for before connecting, or 0 for the default
	 */
	static RawConnection open(SocketFactory factory, int port, int receiveBuffer) throws IOException {
		Socket socket = factory.createSocket();
		if (receiveBuffer > 0) {
			socket.setReceiveBufferSize(receiveBuffer);
		}
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		return new RawConnection(socket);
	}

	/**
	 * Write {@code text}; a write the server refuses (connection reset) counts as a close.
	 */
	void write(String text) {
		try {
			this.socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
			this.socket.getOutputStream().flush();
		}
		catch (IOException ex) {
			this.closedByServer = true;
		}
	}

	/**
	 * Read what has arrived, waiting at most a few milliseconds, and tell whether the server closed the
	 * connection.
	 */
	synchronized boolean isClosedByServer() {
		if (this.closedByServer) {
			return true;
		}
		try {
			this.socket.setSoTimeout(5);
			byte[] chunk = new byte[8192];
			while (true) {
				int n = this.in.read(chunk);
				if (n < 0) {
					this.closedByServer = true;
					return true;
				}
				this.received.write(chunk, 0, n);
			}
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			this.closedByServer = true;
			return true;
		}
	}

	/** What the server has sent so far, as text. */
	synchronized String received() {
		return this.received.toString(StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
