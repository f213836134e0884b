package dev.lighttpdboot.server;

import java.util.List;
import java.util.Locale;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Checks each HTTP/1.x request head right after the codec, for what Netty's decoder lets through and RFC 9112
 * refuses, and answers a refused request itself with {@code Connection: close}: nothing after this handler ever
 * sees it, and nothing more is read from the connection.
 * <ul>
 * <li>CONNECT and TRACE: {@code 501} (this server is no proxy and never echoes a request).</li>
 * <li>A version other than exactly {@code HTTP/1.1} or {@code HTTP/1.0}: {@code 505}, or {@code 400} when it is one
 * of them in the wrong case (the version is case-sensitive).</li>
 * <li>An HTTP/1.1 request without a Host header, any request with several, or a Host value with characters no
 * host and port may hold: {@code 400}.</li>
 * <li>A Transfer-Encoding whose final coding is not chunked: {@code 400} (the body length cannot be known,
 * RFC 9112 section 6.3); chunked after other codings: {@code 501} (the server decodes no transfer coding but
 * chunked).</li>
 * </ul>
 * Netty's decoder already refuses a Transfer-Encoding with Content-Length, a Transfer-Encoding in HTTP/1.0,
 * chunked before another coding, several Content-Length values, bare line feeds and over-long lines or heads.
 * Heads it failed to decode are answered here too, with the statuses Reactor Netty would give (414, 431, 400),
 * because Reactor Netty logs each one at WARN.
 */
final class StrictRequestValidator extends ChannelInboundHandlerAdapter {

	private static final Log logger = LogFactory.getLog(StrictRequestValidator.class);

	static final String NAME = "lighttpd.strictRequestValidator";

	private final ServerRefusals refusals;

	private boolean refused;

	StrictRequestValidator(ServerRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.refused) {
			// Body bytes or pipelined requests after a refusal: the connection is closing.
			ReferenceCountUtil.release(msg);
			return;
		}
		if (msg instanceof HttpRequest request) {
			Refusal refusal = request.decoderResult().isSuccess() ? check(request) : malformed(request);
			if (refusal != null) {
				this.refused = true;
				ReferenceCountUtil.release(msg);
				refuse(ctx, request, refusal);
				return;
			}
		}
		ctx.fireChannelRead(msg);
	}

	private void refuse(ChannelHandlerContext ctx, HttpRequest request, Refusal refusal) {
		if (logger.isDebugEnabled()) {
			logger.debug("Refused " + refusal.status().code() + " (" + refusal.detail() + ") for "
					+ request.method() + " from " + ctx.channel().remoteAddress());
		}
		this.refusals.refused(refusal.reason());
		ctx.channel().config().setAutoRead(false);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, refusal.status());
		response.headers()
			.set(HttpHeaderNames.CONTENT_LENGTH, 0)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

	/**
	 * Return why {@code request} must be refused, or {@code null} when it may pass.
	 */
	static @Nullable Refusal check(HttpRequest request) {
		HttpVersion version = request.protocolVersion();
		// Netty returns its constants only for the exact texts; other spellings get instances of their own.
		if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
			if (version.majorVersion() != 1) {
				return new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, ServerRefusals.VERSION,
						"version " + version.text());
			}
			return new Refusal(HttpResponseStatus.BAD_REQUEST, ServerRefusals.VERSION, "version not HTTP/1.0 or HTTP/1.1");
		}
		HttpMethod method = request.method();
		if (HttpMethod.CONNECT.equals(method) || HttpMethod.TRACE.equals(method)) {
			return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, ServerRefusals.METHOD, method.name());
		}
		List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
		if (hosts.size() > 1 || (hosts.isEmpty() && version == HttpVersion.HTTP_1_1)
				|| (hosts.size() == 1 && !isValidHost(hosts.get(0)))) {
			return new Refusal(HttpResponseStatus.BAD_REQUEST, ServerRefusals.HOST, hosts.size() + " Host header(s)");
		}
		List<String> encodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
		if (!encodings.isEmpty()) {
			return checkTransferCodings(encodings);
		}
		return null;
	}

	/**
	 * The answer to a head the codec failed to decode, with Reactor Netty's statuses, so that a flood of malformed
	 * requests is logged at DEBUG and counted instead of a WARN line each.
	 */
	static Refusal malformed(HttpRequest request) {
		Throwable cause = request.decoderResult().cause();
		String detail = (cause != null) ? cause.getClass().getSimpleName() : "undecodable head";
		if (cause instanceof TooLongHttpLineException) {
			return new Refusal(HttpResponseStatus.REQUEST_URI_TOO_LONG, ServerRefusals.MALFORMED, detail);
		}
		if (cause instanceof TooLongHttpHeaderException) {
			return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, ServerRefusals.MALFORMED, detail);
		}
		return new Refusal(HttpResponseStatus.BAD_REQUEST, ServerRefusals.MALFORMED, detail);
	}

	private static @Nullable Refusal checkTransferCodings(List<String> fields) {
		String last = null;
		int count = 0;
		for (String field : fields) {
			for (String coding : field.split(",")) {
				String name = coding.trim();
				if (!name.isEmpty()) {
					last = name.toLowerCase(Locale.ROOT);
					count++;
				}
			}
		}
		if (!"chunked".equals(last)) {
			return new Refusal(HttpResponseStatus.BAD_REQUEST, ServerRefusals.TRANSFER_ENCODING,
					"final transfer coding not chunked");
		}
		if (count > 1) {
			return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, ServerRefusals.TRANSFER_ENCODING,
					"transfer codings besides chunked");
		}
		return null;
	}

	/**
	 * Whether {@code host} may be a Host value: empty (allowed for targets without an authority), or a reg-name,
	 * IPv4 or bracketed IP literal with an optional port. Rejects whitespace, paths, user info and controls.
	 */
	static boolean isValidHost(String host) {
		for (int i = 0; i < host.length(); i++) {
			char c = host.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

	/** Why a request is refused: the status it gets, the metric tag and a note for the log. */
	record Refusal(HttpResponseStatus status, String reason, String detail) {
	}

}
