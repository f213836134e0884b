package dev.lighttpdboot.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/2 client over cleartext with prior knowledge, writing frames byte by byte as a hostile client
 * would (no flow control, no HPACK state beyond static-table entries).
 */
final class H2Frames implements AutoCloseable {

	static final int DATA = 0x0;

	static final int HEADERS = 0x1;

	static final int RST_STREAM = 0x3;

	static final int SETTINGS = 0x4;

	static final int PING = 0x6;

	static final int GOAWAY = 0x7;

	/** A frame as read: type, flags, stream and payload. */
	record Frame(int type, int flags, int stream, byte[] payload) {
	}

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	private H2Frames(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
		this.out = socket.getOutputStream();
	}

	/**
	 * Connect, send the client preface and an empty SETTINGS frame.
	 */
	static H2Frames connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(10_000);
		H2Frames frames = new H2Frames(socket);
		frames.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		frames.write(SETTINGS, 0, 0, new byte[0]);
		return frames;
	}

	/** A GET of {@code path} on {@code stream}, ending the stream (static-table HPACK only). */
	static byte[] getHeaderBlock(String path) {
		ByteArrayOutputStream block = new ByteArrayOutputStream();
		block.write(0x82); // :method GET
		block.write(0x86); // :scheme http
		block.write(0x04); // :path, literal value without indexing
		block.write(path.length());
		block.writeBytes(path.getBytes(StandardCharsets.US_ASCII));
		block.write(0x01); // :authority, literal value without indexing
		block.write("localhost".length());
		block.writeBytes("localhost".getBytes(StandardCharsets.US_ASCII));
		return block.toByteArray();
	}

	void get(int stream, String path) throws IOException {
		write(HEADERS, 0x5, stream, getHeaderBlock(path));
	}

	void reset(int stream) throws IOException {
		write(RST_STREAM, 0, stream, new byte[] { 0, 0, 0, 0x8 }); // CANCEL
	}

	void ping() throws IOException {
		write(PING, 0, 0, new byte[8]);
	}

	void write(int type, int flags, int stream, byte[] payload) throws IOException {
		byte[] head = new byte[9];
		head[0] = (byte) (payload.length >>> 16);
		head[1] = (byte) (payload.length >>> 8);
		head[2] = (byte) payload.length;
		head[3] = (byte) type;
		head[4] = (byte) flags;
		head[5] = (byte) (stream >>> 24);
		head[6] = (byte) (stream >>> 16);
		head[7] = (byte) (stream >>> 8);
		head[8] = (byte) stream;
		this.out.write(head);
		this.out.write(payload);
		this.out.flush();
	}

	/**
	 * Read the next frame, acknowledging the server's SETTINGS as a client must.
	 * @throws EOFException when the server closed the connection
	 */
	Frame read() throws IOException {
		int length = (this.in.readUnsignedByte() << 16) | (this.in.readUnsignedByte() << 8) | this.in.readUnsignedByte();
		int type = this.in.readUnsignedByte();
		int flags = this.in.readUnsignedByte();
		int stream = this.in.readInt() & 0x7fffffff;
		byte[] payload = new byte[length];
		this.in.readFully(payload);
		if (type == SETTINGS && (flags & 0x1) == 0) {
			write(SETTINGS, 0x1, 0, new byte[0]);
		}
		return new Frame(type, flags, stream, payload);
	}

	/** Read frames until one of {@code type} arrives. */
	Frame readUntil(int type) throws IOException {
		Frame frame;
		do {
			frame = read();
		}
		while (frame.type() != type);
		return frame;
	}

	/** Read frames until {@code stream} ends (a HEADERS or DATA frame with END_STREAM). */
	void readUntilEnd(int stream) throws IOException {
		Frame frame;
		do {
			frame = read();
		}
		while (!(frame.stream() == stream && (frame.type() == HEADERS || frame.type() == DATA)
				&& (frame.flags() & 0x1) != 0));
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
