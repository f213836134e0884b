package dev.lighttpdboot.gateway;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.PooledByteBufAllocator;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Makes buffers the way a server would hand them over, and remembers them, so a test can check that each was
 * released exactly once: Netty buffers count references (and a double release throws), the default factory's
 * do not, so tests run with both.
 */
public final class TrackingBuffers {

	private final boolean netty;

	private final NettyDataBufferFactory nettyFactory;

	private final DefaultDataBufferFactory defaultFactory = DefaultDataBufferFactory.sharedInstance;

	private final List<NettyDataBuffer> made = new ArrayList<>();

	private TrackingBuffers(boolean netty) {
		this.netty = netty;
		this.nettyFactory = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
	}

	public static TrackingBuffers netty() {
		return new TrackingBuffers(true);
	}

	public static TrackingBuffers plain() {
		return new TrackingBuffers(false);
	}

	public static TrackingBuffers of(boolean netty) {
		return netty ? netty() : plain();
	}

	/** A buffer holding the bytes, with some unrelated bytes before and after them, as in a slice of a read. */
	public synchronized DataBuffer buffer(byte[] bytes, int offset, int length) {
		if (!this.netty) {
			DataBuffer buffer = this.defaultFactory.allocateBuffer(length + 2);
			buffer.write((byte) 'X');
			buffer.write(bytes, offset, length);
			buffer.write((byte) 'Y');
			buffer.readPosition(1);
			buffer.writePosition(1 + length);
			return buffer;
		}
		NettyDataBuffer buffer = this.nettyFactory.allocateBuffer(length + 2);
		buffer.write((byte) 'X');
		buffer.write(bytes, offset, length);
		buffer.write((byte) 'Y');
		buffer.readPosition(1);
		buffer.writePosition(1 + length);
		this.made.add(buffer);
		return buffer;
	}

	public DataBuffer buffer(byte[] bytes) {
		return buffer(bytes, 0, bytes.length);
	}

	/** The factory to read spooled bodies with. */
	public DataBufferFactory factory() {
		return this.netty ? this.nettyFactory : this.defaultFactory;
	}

	/** Check that every buffer made so far was released. */
	public synchronized void assertAllReleased() {
		for (NettyDataBuffer buffer : this.made) {
			assertThat(buffer.getNativeBuffer().refCnt()).as("reference count").isZero();
		}
	}

	public synchronized int count() {
		return this.made.size();
	}

	@Override
	public String toString() {
		return this.netty ? "netty" : "default";
	}

}
