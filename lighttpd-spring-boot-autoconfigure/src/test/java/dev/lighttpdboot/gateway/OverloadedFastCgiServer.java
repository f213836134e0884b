package dev.lighttpdboot.gateway;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FastCGI server that refuses every request with END_REQUEST {@code FCGI_OVERLOADED}: the answer of an
 * application that is out of resources, which php-fpm never gives (it leaves connections in its backlog), so
 * this fault needs a peer of its own. It reads each request up to its empty STDIN record, answers, and keeps the
 * connection open for the next one.
 */
final class OverloadedFastCgiServer implements AutoCloseable {

	private static final int STDIN = 5;

	private final ServerSocket server;

	private final AtomicInteger refused = new AtomicInteger();

	OverloadedFastCgiServer() throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "overloaded-fastcgi");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	InetSocketAddress address() {
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), this.server.getLocalPort());
	}

	int refused() {
		return this.refused.get();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				Thread connection = new Thread(() -> serve(socket), "overloaded-fastcgi-connection");
				connection.setDaemon(true);
				connection.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket; DataInputStream in = new DataInputStream(socket.getInputStream())) {
			OutputStream out = socket.getOutputStream();
			while (true) {
				byte[] header = new byte[8];
				in.readFully(header);
				int type = header[1] & 0xff;
				int length = ((header[4] & 0xff) << 8) | (header[5] & 0xff);
				in.readFully(new byte[length + (header[6] & 0xff)]);
				if (type == STDIN && length == 0) {
					this.refused.incrementAndGet();
					// END_REQUEST for request id 1: app status 0, protocol status 2 (FCGI_OVERLOADED).
					out.write(new byte[] { 1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0 });
					out.flush();
				}
			}
		}
		catch (IOException ex) {
			// The client closed the connection.
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
	}

}
