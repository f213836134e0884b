package dev.lighttpdboot.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpServerCodec;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;

/**
 * Records what the server writes to its sockets (first handler of each pipeline, so it sees what really leaves:
 * a {@link FileRegion} means {@code sendfile(2)}), and which channel class carries it (epoll or NIO).
 */
public final class OutboundRecorder implements NettyServerCustomizer {

	/** One write: the message type, and its size for regions and buffers. */
	public record Write(String channelClass, String type, long bytes) {

		public boolean isFileRegion() {
			return this.type.equals("FileRegion");
		}

	}

	private final List<Write> writes = new CopyOnWriteArrayList<>();

	private final List<Write> writesAndFlushes = new CopyOnWriteArrayList<>();

	private final ChannelHandler spy = new Spy();

	@Override
	public HttpServer apply(HttpServer server) {
		return server.doOnChannelInit((observer, channel, remoteAddress) -> {
			if (channel.pipeline().get(HttpServerCodec.class) != null
					|| channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
				channel.pipeline().addFirst("lighttpd.test.outboundRecorder", this.spy);
			}
		});
	}

	public List<Write> writes() {
		return this.writes;
	}

	/**
	 * The writes and, in between, each flush (type {@code "flush"}): what was written between two flushes leaves
	 * in one system call ({@code writev} for several buffers).
	 */
	public List<Write> writesAndFlushes() {
		return this.writesAndFlushes;
	}

	public void clear() {
		this.writes.clear();
		this.writesAndFlushes.clear();
	}

	@ChannelHandler.Sharable
	private final class Spy extends ChannelDuplexHandler {

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
			String channelClass = ctx.channel().getClass().getSimpleName();
			Write write;
			if (msg instanceof FileRegion region) {
				write = new Write(channelClass, "FileRegion", region.count());
			}
			else if (msg instanceof ByteBuf buf) {
				write = new Write(channelClass, "ByteBuf", buf.readableBytes());
			}
			else {
				write = new Write(channelClass, msg.getClass().getSimpleName(), -1);
			}
			OutboundRecorder.this.writes.add(write);
			OutboundRecorder.this.writesAndFlushes.add(write);
			super.write(ctx, msg, promise);
		}

		@Override
		public void flush(ChannelHandlerContext ctx) throws Exception {
			OutboundRecorder.this.writesAndFlushes.add(new Write(ctx.channel().getClass().getSimpleName(), "flush", 0));
			super.flush(ctx);
		}

	}

}
