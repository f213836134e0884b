package dev.lighttpdboot.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a free loopback port that counts the connections it accepts: put between a client and a real
 * peer, it shows how many connections the client opened, which the peer itself does not tell. Each direction is
 * copied by a thread of its own (test threads, so BlockHound does not mind); a side that closes closes the other.
 */
public final class CountingRelay implements AutoCloseable {

	private final ServerSocket server;

	private final SocketAddress target;

	private final AtomicInteger accepted = new AtomicInteger();

	/**
	 * Start relaying to {@code target}.
	 */
	public CountingRelay(SocketAddress target) throws IOException {
		this.target = target;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		daemon(this::accept, "relay-accept");
	}

	/**
	 * Return the address clients connect to.
	 */
	public InetSocketAddress address() {
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), this.server.getLocalPort());
	}

	/**
	 * Return how many connections were accepted so far.
	 */
	public int accepted() {
		return this.accepted.get();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				this.accepted.incrementAndGet();
				Socket peer = new Socket();
				peer.connect(this.target, 5000);
				daemon(() -> copy(client, peer), "relay-to-peer");
				daemon(() -> copy(peer, client), "relay-to-client");
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private static void copy(Socket from, Socket to) {
		try (from; to) {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			byte[] buffer = new byte[16 * 1024];
			int read;
			while ((read = in.read(buffer)) >= 0) {
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException ex) {
			// One side closed: closing both (try-with-resources) passes the close on.
		}
	}

	private static void daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
	}

}
