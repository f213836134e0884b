package dev.lighttpdboot.uploadprogress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counter on an {@link EmbeddedChannel} behind Netty's request decoder, fed raw bytes in pieces.
 */
class UploadProgressCounterTests {

	private final InMemoryUploadProgressStore store = new InMemoryUploadProgressStore(Duration.ofMinutes(1), 100,
			System::nanoTime, false);

	private final EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(),
			new UploadProgressCounter(this.store, UploadProgressMetrics.NONE));

	@Test
	void countsBodyBytesAsTheyArriveAndEndsWithTheResponse() {
		write("POST /up?X-Progress-ID=abc HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.STARTING, 0, 10, 0));
		write("12345");
		assertThat(this.store.progress("abc").received()).isEqualTo(5);
		write("67890");
		assertThat(this.store.progress("abc").received()).isEqualTo(10);
		respond(HttpResponseStatus.OK);
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.DONE, 10, 10, 0));
	}

	@Test
	void oneHundredContinueDoesNotEndTheUpload() {
		write("POST /up HTTP/1.1\r\nHost: x\r\nX-Progress-ID: abc\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
		this.channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
		write("abcd");
		assertThat(this.store.progress("abc").state()).isEqualTo(UploadState.UPLOADING);
		respond(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.ERROR, 4, 4, 413));
	}

	@Test
	void chunkedFramingIsNotCounted() {
		write("POST /up?X-Progress-ID=abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
		write("3\r\nabc\r\n");
		write("2\r\nde\r\n0\r\n\r\n");
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.UPLOADING, 5, -1, 0));
	}

	@Test
	void aClosedConnectionEndsTheUploadAsAnError() {
		write("POST /up?X-Progress-ID=abc HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n123");
		this.channel.close();
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.ERROR, 3, 10, 499));
	}

	@Test
	void requestsWithoutBodiesAndWithoutIdsAreNotTracked() {
		write("GET /progress?X-Progress-ID=abc HTTP/1.1\r\nHost: x\r\n\r\n");
		write("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
		assertThat(this.store.size()).isZero();
	}

	@Test
	void keepAliveRequestsAreCountedApart() {
		write("PUT /up?X-Progress-ID=one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
		respond(HttpResponseStatus.OK);
		write("PUT /up?X-Progress-ID=two HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab");
		respond(HttpResponseStatus.NO_CONTENT);
		assertThat(this.store.progress("one")).isEqualTo(new UploadProgress(UploadState.DONE, 3, 3, 0));
		assertThat(this.store.progress("two")).isEqualTo(new UploadProgress(UploadState.DONE, 2, 2, 0));
	}

	@Test
	void aMalformedQueryIsPassedOnUntracked() {
		// QueryStringDecoder throws on a broken escape: the request must still reach the application, which answers
		// it, rather than the exception ending up in the pipeline instead of the request.
		this.channel.writeInbound(Unpooled.copiedBuffer(
				"POST /up?X-Progress-ID=abc&x=%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
				StandardCharsets.ISO_8859_1));
		Object head = this.channel.readInbound();
		assertThat(head).isInstanceOf(HttpRequest.class);
		ReferenceCountUtil.release(head);
		write("");
		this.channel.checkException();
		assertThat(this.store.size()).isZero();
	}

	@Test
	void aResponseWithAContentLengthEndsTheUploadWithItsLastByte() {
		write("POST /up?X-Progress-ID=abc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
		DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
		this.channel.writeOutbound(head, new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] { 'o', 'k' })));
		assertThat(this.store.progress("abc").state()).isEqualTo(UploadState.UPLOADING);
		// Reactor Netty writes body buffers as they are, not as HttpContent.
		this.channel.writeOutbound(Unpooled.copiedBuffer(new byte[] { '!', '\n' }));
		// The client has the whole response and may close before the (empty) last part is written.
		this.channel.close();
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.DONE, 3, 3, 0));
		releaseOutbound();
	}

	@Test
	void anErrorResponseWithAnEmptyBodyEndsTheUploadWithItsHead() {
		write("POST /up?X-Progress-ID=abc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na");
		DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
		head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
		this.channel.writeOutbound(head);
		this.channel.close();
		assertThat(this.store.progress("abc")).isEqualTo(new UploadProgress(UploadState.ERROR, 1, 3, 413));
		releaseOutbound();
	}

	private void write(String bytes) {
		this.channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
		Object message;
		while ((message = this.channel.readInbound()) != null) {
			assertThat(message).isInstanceOf(HttpObject.class);
			ReferenceCountUtil.release(message);
		}
	}

	private void respond(HttpResponseStatus status) {
		this.channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status));
		HttpContent content = new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] { 'o', 'k' }));
		this.channel.writeOutbound(content);
		assertThat(this.store.progress("abc").state()).isNotEqualTo(UploadState.DONE);
		this.channel.writeOutbound(new DefaultLastHttpContent());
		releaseOutbound();
	}

	private void releaseOutbound() {
		Object message;
		while ((message = this.channel.readOutbound()) != null) {
			ReferenceCountUtil.release(message);
		}
	}

}
