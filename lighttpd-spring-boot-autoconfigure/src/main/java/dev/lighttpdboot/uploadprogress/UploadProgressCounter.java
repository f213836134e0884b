package dev.lighttpdboot.uploadprogress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import org.jspecify.annotations.Nullable;

/**
 * Counts the body bytes of requests that carry a progress id, as Netty reads them from the socket, on the event
 * loop. It sits right after the HTTP codec of a connection (HTTP/1.1: requests in turn on a keep-alive connection)
 * or of an HTTP/2 stream (one request), so it sees decoded bodies: chunked framing is not counted. Messages pass
 * through untouched; the counter never reads or holds a buffer beyond {@code readableBytes()}.
 * <p>
 * The request ends when the last byte of its response is written: {@code done} below 400, {@code error} with the
 * status otherwise. For a response with a Content-Length that is the byte that completes the announced body (or
 * the head, for an empty body), not the {@link LastHttpContent} that follows: that marker adds nothing on the
 * wire, so the client may already have the whole response, and close the connection, before it is written. A
 * connection or stream that closes first ends the request as {@code error} with status
 * {@value #CLIENT_CLOSED_REQUEST}, nginx's code for a client that went away. Not {@code @Sharable}: one per
 * channel.
 */
public class UploadProgressCounter extends ChannelDuplexHandler {

	/** The status reported when the connection closed before the response was complete (nginx's 499). */
	public static final int CLIENT_CLOSED_REQUEST = 499;

	private final UploadProgressStore store;

	private final UploadProgressMetrics metrics;

	private @Nullable String id;

	private long received;

	private int status;

	/** Body bytes of the response still to be written, or -1 when unknown (no response head yet, or chunked). */
	private long responseRemaining = -1;

	/**
	 * Create a counter for one connection or stream.
	 * @param store where progress goes
	 * @param metrics receives upload events
	 */
	public UploadProgressCounter(UploadProgressStore store, UploadProgressMetrics metrics) {
		this.store = store;
		this.metrics = metrics;
	}

	/**
	 * Return whether a request with this method carries an upload worth tracking: the progress endpoint's own GET
	 * carries the id too, and must not register it.
	 */
	static boolean mayUpload(HttpMethod method) {
		return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS
				&& method != HttpMethod.DELETE && method != HttpMethod.TRACE;
	}

	/**
	 * Begin tracking a request whose head this counter did not see (an HTTP/2 stream, where the head has passed
	 * before the counter is added).
	 * @param id the progress id
	 * @param size the announced Content-Length, or -1
	 */
	public void begin(String id, long size) {
		if (this.id != null) {
			// A request that got no complete response before the next began (HTTP/1.1 pipelining).
			end(CLIENT_CLOSED_REQUEST);
		}
		this.id = id;
		this.received = 0;
		this.status = 0;
		this.responseRemaining = -1;
		this.store.start(id, size);
		this.metrics.started();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		// An h2c upgrade request is answered on HTTP/2 stream 1, which this counter never sees: not tracked.
		if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()
				&& mayUpload(request.method()) && !request.headers().contains(HttpHeaderNames.UPGRADE)) {
			String found = ProgressIds.find(request.headers().get(ProgressIds.NAME), request.uri());
			if (found != null) {
				begin(found, HttpUtil.getContentLength(request, -1L));
			}
		}
		if (this.id != null && msg instanceof HttpContent content) {
			int bytes = content.content().readableBytes();
			if (bytes > 0) {
				this.received += bytes;
				this.store.update(this.id, this.received);
				this.metrics.received(bytes);
			}
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (this.id != null && msg instanceof HttpResponse response) {
			HttpResponseStatus responseStatus = response.status();
			// 100 Continue is a complete message of its own (a FullHttpResponse), not the end of the request.
			if (responseStatus.codeClass() != HttpStatusClass.INFORMATIONAL) {
				this.status = responseStatus.code();
				// 204 and 304 have no body whatever their Content-Length says.
				this.responseRemaining = (this.status == 204 || this.status == 304) ? 0 : contentLength(response);
			}
		}
		if (this.id != null && this.status != 0 && this.responseRemaining > 0) {
			this.responseRemaining = Math.max(0, this.responseRemaining - bodyBytes(msg));
		}
		if (this.id != null && this.status != 0 && (this.responseRemaining == 0 || msg instanceof LastHttpContent)) {
			// The client can have the whole response now and close at once: the request is complete, not aborted.
			end(this.status);
		}
		ctx.write(msg, promise);
	}

	/**
	 * Return the response body bytes a message carries. Reactor Netty writes a body as plain buffers (or a file
	 * region for sendfile) between the head and an empty {@link LastHttpContent}, not as {@link HttpContent}.
	 */
	private static long bodyBytes(Object msg) {
		if (msg instanceof ByteBufHolder holder) {
			return holder.content().readableBytes();
		}
		if (msg instanceof ByteBuf buffer) {
			return buffer.readableBytes();
		}
		if (msg instanceof FileRegion region) {
			return region.count() - region.transferred();
		}
		return 0;
	}

	private static long contentLength(HttpResponse response) {
		try {
			return HttpUtil.getContentLength(response, -1L);
		}
		catch (NumberFormatException ex) {
			// Not this counter's business to refuse it: the response then ends with its last part, as chunked ones do.
			return -1;
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		if (this.id != null) {
			end(CLIENT_CLOSED_REQUEST);
		}
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		if (this.id != null) {
			end(CLIENT_CLOSED_REQUEST);
		}
	}

	private void end(int endStatus) {
		String ended = this.id;
		if (ended == null) {
			return;
		}
		this.id = null;
		if (endStatus < 400) {
			this.store.done(ended, this.received);
			this.metrics.finished("done");
		}
		else {
			this.store.failed(ended, this.received, endStatus);
			this.metrics.finished((endStatus == CLIENT_CLOSED_REQUEST) ? "aborted"
					: (endStatus == 413) ? "too-large" : "failed");
		}
	}

}
