package dev.lighttpdboot.gateway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server for the faults puma does not produce on demand: the n-th request on a kept-alive connection
 * answered by a close or a reset, or not answered at all. Each connection is served by a thread of its own; the
 * answer is a tiny {@code 200} with {@code Content-Length}, the connection kept open.
 */
final class FaultyHttpServer implements AutoCloseable {

	/** What the server does with a request. */
	enum Action {

		/** Answer 200 and keep the connection. */
		ANSWER,

		/** Close the connection without an answer (FIN). */
		CLOSE,

		/** Reset the connection without an answer (RST). */
		RESET,

		/** Never answer. */
		SILENT

	}

	/** Decides the action from the connection's number (from 0) and the request's number on it (from 0). */
	@FunctionalInterface
	interface Script {

		Action action(int connection, int request);

	}

	private final ServerSocket server;

	private final Script script;

	private final AtomicInteger connections = new AtomicInteger();

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final Thread acceptor;

	FaultyHttpServer(Script script) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.script = script;
		this.acceptor = new Thread(this::accept, "faulty-http-acceptor");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	InetSocketAddress address() {
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), this.server.getLocalPort());
	}

	/** Return the connections accepted so far. */
	int connections() {
		return this.connections.get();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.sockets.add(socket);
				int number = this.connections.getAndIncrement();
				Thread serving = new Thread(() -> serve(socket, number), "faulty-http-" + number);
				serving.setDaemon(true);
				serving.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket, int connection) {
		try (socket) {
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			for (int request = 0;; request++) {
				if (!readRequest(in)) {
					return;
				}
				switch (this.script.action(connection, request)) {
					case ANSWER -> {
						out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
							.getBytes(StandardCharsets.ISO_8859_1));
						out.flush();
					}
					case CLOSE -> {
						return;
					}
					case RESET -> {
						socket.setSoLinger(true, 0);
						return;
					}
					case SILENT -> {
						// Read until the client gives up.
						while (in.read() >= 0) {
						}
						return;
					}
				}
			}
		}
		catch (IOException ex) {
			// The client went away.
		}
	}

	private static boolean readRequest(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				return false;
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r') ? 1 : 0;
		}
		long length = 0;
		for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
			if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
				length = Long.parseLong(line.substring(15).trim());
			}
		}
		in.skipNBytes(length);
		return true;
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

}
