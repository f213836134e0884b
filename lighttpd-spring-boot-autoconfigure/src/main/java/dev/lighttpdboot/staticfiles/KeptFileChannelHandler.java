package dev.lighttpdboot.staticfiles;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.lighttpdboot.accesslog.PipelineAnswerArgs;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.OpenFile;
import dev.lighttpdboot.files.RegionWriter;
import dev.lighttpdboot.files.SmallFileCache;
import dev.lighttpdboot.gateway.BackendCall;
import dev.lighttpdboot.gateway.route.GatewayInThePipeline;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpConnectionLiveness;
import reactor.netty.http.IdleTimeoutHandler;
import reactor.netty.http.server.logging.AccessLogArgProvider;

import org.springframework.http.support.Netty4HeadersAdapter;

/**
 * Answers GET and HEAD requests for the files of the document root (and of valid signed links) in the connection's
 * pipeline, before Reactor Netty's HTTP handling and WebFlux see them ({@code lighttpd.files.dispatch=netty}): the
 * request's head is decoded, a kept small file is checked with one {@code lstat} on the file-system scheduler as on
 * the ordinary path and its answer leaves in one write, a larger file is opened there as the ordinary path opens it
 * and sent from that descriptor with {@code sendfile(2)}. A HEAD, and a GET whose client's copy is still current
 * ({@code If-None-Match}, {@code If-Modified-Since}: 304), need no bytes: they are answered at once from the
 * snapshot the request's lookup found, as on the ordinary path. Every other request goes on unchanged, in order.
 * <p>It sits just before Reactor Netty's HTTP traffic handler, after the codec and after the handlers that guard
 * every request (the request-head deadline, strict request validation); Reactor Netty's access log and WebFlux's
 * observation never see what it answers. Only a request that leaves nothing to decide is answered here
 * ({@link #qualifies}: HTTP/1.1 kept alive, no body, no conditions but revalidation, no Range, no upgrade;
 * {@link KeptFileAnswers#candidate} for the path), and only while no request of the connection is with Reactor
 * Netty, so answers never overtake one another on a pipelined connection. While the
 * file is checked, whatever is decoded waits here (reading pauses as soon as something does), then goes through the
 * same steps.
 * <p>With {@code lighttpd.gateway.dispatch=netty} it also calls the backends of gateway routes for bodiless GET
 * requests ({@link GatewayInThePipeline}), under the same rules of order: an answer that came whole is written from
 * here, every other goes on to Reactor Netty with the request, and the gateway's mapping answers it with what the
 * backend answered.
 * <p>One instance per connection; all methods run on the connection's event loop.
 */
public final class KeptFileChannelHandler extends ChannelDuplexHandler {

	/** The handler's name in the pipeline. */
	public static final String NAME = "lighttpd.keptFiles";

	private static final Log logger = LogFactory.getLog(KeptFileChannelHandler.class);

	/**
	 * Messages that may wait while one file is checked: far more than a client pipelines in good faith (what one
	 * read decodes), few enough to bound the memory a connection holds.
	 */
	static final int MAX_WAITING_MESSAGES = 4096;

	private static final CharSequence[] DECIDED_ELSEWHERE = { HttpHeaderNames.CONTENT_LENGTH,
			HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.RANGE, HttpHeaderNames.IF_RANGE,
			HttpHeaderNames.IF_MATCH, HttpHeaderNames.IF_UNMODIFIED_SINCE, HttpHeaderNames.EXPECT,
			HttpHeaderNames.UPGRADE };

	/** Headers that name another client than the connection's peer, for the access log to decide about. */
	private static final CharSequence[] FORWARDING = { "Forwarded", "X-Forwarded-For" };

	private final @Nullable KeptFileAnswers answers;

	/** Calls gateway routes' backends; {@code null} unless {@code lighttpd.gateway.dispatch=netty}. */
	private final @Nullable GatewayInThePipeline gateway;

	/** Receives the access-log line of each answer given here; {@code null} with the access log off. */
	private final @Nullable Consumer<AccessLogArgProvider> accessLog;

	/** When the head of {@link #request} was read, for its access-log line. */
	private @Nullable ZonedDateTime received;

	private long receivedNanos;

	/** Requests passed on whose response has not ended yet. */
	private int passedOn;

	/** The head of the request answered here, from its head until its answer or its passing on. */
	private @Nullable HttpRequest request;

	private KeptFileAnswers.@Nullable Candidate file;

	/** The backend call of {@link #request}, when a gateway route takes it. */
	private GatewayInThePipeline.@Nullable Call call;

	/** The backend call under way, until its answer. */
	private @Nullable Disposable calling;

	/** Reactor Netty's idle timeout, taken off the connection while answers of this handler last; 0 when none was. */
	private long idleTimeoutMillis;

	/** Answers of this handler under way that need the idle timeout off (backend calls, files being sent). */
	private int idleTimeoutSuspensions;

	/** How {@link #request} is answered. */
	private Reply reply = Reply.FILE;

	/** Whether the file of {@link #request} is being checked. */
	private boolean checking;

	/** Whether this handler paused reading, and must resume it. */
	private boolean paused;

	/** Whether {@link #resume} is reading what waited (a check that ends at once must not nest another loop). */
	private boolean draining;

	/** Messages decoded while a file was checked, in order. */
	private final ArrayDeque<Object> waiting = new ArrayDeque<>();

	/**
	 * Create the handler of one connection, with no access log.
	 * @param answers decides which requests qualify, and gives their bytes and headers
	 */
	public KeptFileChannelHandler(KeptFileAnswers answers) {
		this(answers, null);
	}

	/**
	 * Create the handler of one connection.
	 * @param answers decides which requests qualify, and gives their bytes and headers
	 * @param accessLog receives the access-log line of each answer given here once it is sent, or {@code null}
	 * for none; with it, a request that names another client in {@code Forwarded} or {@code X-Forwarded-For}
	 * goes the ordinary way, where the server's forwarded-headers setting decides which client its line names
	 */
	public KeptFileChannelHandler(KeptFileAnswers answers, @Nullable Consumer<AccessLogArgProvider> accessLog) {
		this(answers, null, accessLog);
	}

	/**
	 * Create the handler of one connection, for files, gateway routes or both.
	 * @param answers decides which file requests qualify, and gives their bytes and headers; {@code null} to answer
	 * no file here
	 * @param gateway calls the backends of gateway routes; {@code null} to call none from here
	 * @param accessLog receives the access-log line of each answer given here once it is sent, or {@code null}
	 */
	public KeptFileChannelHandler(@Nullable KeptFileAnswers answers, @Nullable GatewayInThePipeline gateway,
			@Nullable Consumer<AccessLogArgProvider> accessLog) {
		this.answers = answers;
		this.gateway = gateway;
		this.accessLog = accessLog;
	}

	/**
	 * Add a handler to a new connection's pipeline, just before Reactor Netty's HTTP traffic handler; nothing is
	 * added to an HTTP/2 connection (nor where an h2c upgrade decides later), to one that has a handler already, or
	 * when there is nothing to answer.
	 * @param pipeline the connection's pipeline
	 * @param answers the file answers, or {@code null}
	 * @param gateway the gateway's calls, or {@code null}
	 * @param accessLog receives the access-log line of each answer, or {@code null}
	 */
	public static void addTo(ChannelPipeline pipeline, @Nullable KeptFileAnswers answers,
			@Nullable GatewayInThePipeline gateway, @Nullable Consumer<AccessLogArgProvider> accessLog) {
		if (pipeline.get(NettyPipeline.HttpTrafficHandler) == null || pipeline.get(NAME) != null
				|| (answers == null && gateway == null)) {
			return;
		}
		pipeline.addBefore(NettyPipeline.HttpTrafficHandler, NAME,
				new KeptFileChannelHandler(answers, gateway, accessLog));
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.checking || !this.waiting.isEmpty()) {
			if (this.waiting.size() >= MAX_WAITING_MESSAGES) {
				ReferenceCountUtil.release(msg);
				logger.debug("Closing a connection that pipelined more than " + MAX_WAITING_MESSAGES
						+ " messages behind one request");
				ctx.close();
				return;
			}
			this.waiting.add(msg);
			if (this.checking && ctx.channel().config().isAutoRead()) {
				// Paused only once something waits: a client that sends its next request after the answer (all
				// but pipelining ones) costs no change of the socket's interest in reading.
				ctx.channel().config().setAutoRead(false);
				this.paused = true;
			}
			return;
		}
		read(ctx, msg);
	}

	private void read(ChannelHandlerContext ctx, Object msg) {
		HttpRequest held = this.request;
		if (held != null) {
			this.request = null;
			if (msg instanceof LastHttpContent last && !last.content().isReadable()
					&& last.trailingHeaders().isEmpty()) {
				last.release();
				check(ctx, held);
			}
			else {
				// Not the empty end qualify() promised: the ordinary way, whatever it is.
				passOn(ctx, held);
				ctx.fireChannelRead(msg);
			}
			return;
		}
		if (msg instanceof HttpRequest head && !(msg instanceof HttpContent)) {
			KeptFileAnswers.Candidate candidate = (this.passedOn == 0 && qualifies(head) && namesNoOtherClient(head))
					? candidate(head) : null;
			Reply reply = Reply.FILE;
			if (candidate != null && revalidates(head)) {
				// A client revalidating its copy: only "not modified" is answered here, decided on the snapshot the
				// ordinary way decides on, which needs no check of the file; a copy out of date goes the ordinary way.
				// So does a HEAD: Reactor Netty gives its 304 a Transfer-Encoding that this answer could only copy.
				boolean notModified = head.method() == HttpMethod.GET && files().notModified(
						new org.springframework.http.HttpHeaders(new Netty4HeadersAdapter(head.headers())), candidate);
				reply = Reply.NOT_MODIFIED;
				if (!notModified) {
					candidate = null;
				}
			}
			else if (candidate != null && head.method() == HttpMethod.HEAD) {
				// No bytes to send: the ordinary way answers a HEAD from the snapshot its lookup found, and so does
				// this handler, with no check of the file.
				reply = Reply.HEAD;
			}
			else if (candidate != null && !candidate.kept() && RegionWriter.transformsBody(ctx.channel())) {
				// A file sent from its descriptor, only where a region reaches the socket as it is.
				candidate = null;
			}
			GatewayInThePipeline.Call call = (candidate == null && this.gateway != null && this.passedOn == 0
					&& qualifiesForGateway(head)) ? gatewayCall(this.gateway, head) : null;
			if (candidate != null || call != null) {
				this.request = head;
				this.file = candidate;
				this.call = call;
				this.reply = reply;
				if (this.accessLog != null) {
					this.received = ZonedDateTime.now(ZoneId.systemDefault());
					this.receivedNanos = System.nanoTime();
				}
				return;
			}
			passOn(ctx, head);
			return;
		}
		if (msg instanceof HttpRequest whole) {
			passOn(ctx, whole);
			return;
		}
		ctx.fireChannelRead(msg);
	}

	/**
	 * Whether a request's head leaves nothing to decide but its path and, at most, whether the client's copy is
	 * current: GET or HEAD, HTTP/1.1 kept alive, no body, no Range, no upgrade, no conditions other than
	 * {@code If-None-Match} and {@code If-Modified-Since} (of a GET only, see {@link #read}).
	 */
	static boolean qualifies(HttpRequest head) {
		HttpMethod method = head.method();
		if ((method != HttpMethod.GET && method != HttpMethod.HEAD) || head.protocolVersion() != HttpVersion.HTTP_1_1
				|| !head.decoderResult().isSuccess() || !HttpUtil.isKeepAlive(head)) {
			return false;
		}
		HttpHeaders headers = head.headers();
		for (CharSequence name : DECIDED_ELSEWHERE) {
			if (headers.contains(name)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether a request's head leaves nothing to decide before its backend is called: a GET, HTTP/1.1 kept alive,
	 * no body ({@code Content-Length: 0} at most), no upgrade, no {@code Expect}. Conditions and Range are the
	 * backend's to answer, on either way.
	 */
	static boolean qualifiesForGateway(HttpRequest head) {
		if (head.method() != HttpMethod.GET || head.protocolVersion() != HttpVersion.HTTP_1_1
				|| !head.decoderResult().isSuccess() || !HttpUtil.isKeepAlive(head)) {
			return false;
		}
		HttpHeaders headers = head.headers();
		String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
		return (length == null || length.equals("0")) && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
				&& !headers.contains(HttpHeaderNames.UPGRADE) && !headers.contains(HttpHeaderNames.EXPECT);
	}

	private static boolean revalidates(HttpRequest head) {
		return head.headers().contains(HttpHeaderNames.IF_NONE_MATCH)
				|| head.headers().contains(HttpHeaderNames.IF_MODIFIED_SINCE);
	}

	private boolean namesNoOtherClient(HttpRequest head) {
		if (this.accessLog == null) {
			return true;
		}
		for (CharSequence name : FORWARDING) {
			if (head.headers().contains(name)) {
				return false;
			}
		}
		return true;
	}

	private KeptFileAnswers.@Nullable Candidate candidate(HttpRequest head) {
		KeptFileAnswers answers = this.answers;
		if (answers == null) {
			return null;
		}
		String target = head.uri();
		if (target.isEmpty() || target.charAt(0) != '/') {
			// Absolute form, or "*": the ordinary way.
			return null;
		}
		int query = target.indexOf('?');
		int end = (query >= 0) ? query : target.length();
		if (target.indexOf('#') >= 0) {
			return null;
		}
		return answers.candidate(target.substring(0, end), (query >= 0) ? target.substring(query + 1) : null);
	}

	/** The file answers; only a file candidate, which only they make, leads here. */
	private KeptFileAnswers files() {
		if (this.answers == null) {
			throw new IllegalStateException("no files are answered in this pipeline");
		}
		return this.answers;
	}

	private static GatewayInThePipeline.@Nullable Call gatewayCall(GatewayInThePipeline gateway, HttpRequest head) {
		String target = head.uri();
		if (target.isEmpty() || target.charAt(0) != '/' || target.indexOf('#') >= 0) {
			return null;
		}
		int query = target.indexOf('?');
		return gateway.candidate(head, (query >= 0) ? target.substring(0, query) : target);
	}

	private void passOn(ChannelHandlerContext ctx, HttpRequest head) {
		this.passedOn++;
		ctx.fireChannelRead(head);
	}

	private void check(ChannelHandlerContext ctx, HttpRequest head) {
		GatewayInThePipeline.Call call = this.call;
		if (call != null && this.gateway != null) {
			this.call = null;
			callBackend(ctx, head, this.gateway, call);
			return;
		}
		KeptFileAnswers.Candidate candidate = this.file;
		this.file = null;
		if (candidate == null) {
			resume(ctx, head, true);
			return;
		}
		Reply reply = this.reply;
		this.reply = Reply.FILE;
		if (reply != Reply.FILE) {
			files().answered(candidate);
			answerFromSnapshot(ctx, head, candidate, reply);
			resume(ctx, head, false);
			return;
		}
		if (answerIfRecentlyChecked(ctx, head, candidate)) {
			resume(ctx, head, false);
			return;
		}
		this.checking = true;
		EventLoop eventLoop = ctx.channel().eventLoop();
		if (candidate.kept()) {
			answerWhenFound(ctx, head, candidate, files().bytes(candidate.file(), eventLoop),
					(kept) -> kept.bytes().release(), (kept) -> answer(ctx, head, kept, candidate));
		}
		else {
			answerWhenFound(ctx, head, candidate, files().open(candidate.file(), eventLoop), OpenFile::close,
					(opened) -> send(ctx, head, opened, candidate));
		}
	}

	/**
	 * Answer a candidate at once if a check within the check validity found its file unchanged (opt-in): nothing
	 * waits for the file-system scheduler, and so nothing is subscribed to.
	 * @return whether it was answered
	 */
	private boolean answerIfRecentlyChecked(ChannelHandlerContext ctx, HttpRequest head,
			KeptFileAnswers.Candidate candidate) {
		if (candidate.kept()) {
			SmallFileCache.Kept kept = files().bytesIfRecentlyChecked(candidate.file());
			if (kept == null) {
				return false;
			}
			files().answered(candidate);
			answer(ctx, head, kept, candidate);
			return true;
		}
		OpenFile opened = files().openIfRecentlyChecked(candidate.file());
		if (opened == null) {
			return false;
		}
		files().answered(candidate);
		send(ctx, head, opened, candidate);
		return true;
	}

	/**
	 * Call a gateway route's backend, and write its answer, or pass the request on for the ordinary way to answer
	 * with what the backend answered. Reading waits meanwhile, as it waits while a file is checked.
	 */
	private void callBackend(ChannelHandlerContext ctx, HttpRequest head, GatewayInThePipeline gateway,
			GatewayInThePipeline.Call call) {
		this.checking = true;
		suspendIdleTimeout(ctx);
		this.calling = gateway.call(call, head, ctx.channel())
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.subscribe((answer) -> onEventLoop(ctx, () -> called(ctx, head, gateway, answer)),
					(ex) -> onEventLoop(ctx, () -> {
						// Not expected (the call hands every failure to the ordinary way): that way answers again.
						logger.warn("Backend call failed in the pipeline, going the ordinary way", ex);
						called(ctx, head, gateway, Optional.empty());
					}));
	}

	private void called(ChannelHandlerContext ctx, HttpRequest head, GatewayInThePipeline gateway,
			Optional<GatewayInThePipeline.Answer> answer) {
		this.calling = null;
		if (answer.isPresent()) {
			// Reactor Netty restores it after the answers it writes; this answer is this handler's.
			resumeIdleTimeout(ctx);
		}
		else {
			// A request passed on finds it gone, as Reactor Netty leaves it while it answers, and Reactor Netty puts
			// it back after its answer.
			forgetIdleTimeout();
		}
		if (!ctx.channel().isActive()) {
			answer.ifPresent((unsent) -> unsent.response().release());
			gateway.discardHandoff(ctx.channel());
			this.checking = false;
		}
		else if (answer.isPresent()) {
			writeAnswer(ctx, head, answer.get().response(), Map.of(BackendCall.ATTRIBUTE, answer.get().call()));
			resume(ctx, head, false);
		}
		else {
			resume(ctx, head, true);
		}
	}

	/**
	 * Take Reactor Netty's idle timeout off the connection while a backend is called or a file is sent, as Reactor
	 * Netty takes it off while it answers a request: it closes a connection that neither reads nor writes for the
	 * keep-alive timeout, which a slow backend, or a file sent to a slow reader (a write counts once it completes),
	 * would otherwise reach. Each suspension is ended by one {@link #resumeIdleTimeout}; the last puts it back.
	 */
	private void suspendIdleTimeout(ChannelHandlerContext ctx) {
		this.idleTimeoutSuspensions++;
		if (ctx.pipeline().get(NettyPipeline.IdleTimeoutHandler) instanceof IdleStateHandler idle) {
			this.idleTimeoutMillis = idle.getAllIdleTimeInMillis();
			IdleTimeoutHandler.removeIdleTimeoutHandler(ctx.pipeline());
		}
	}

	private void resumeIdleTimeout(ChannelHandlerContext ctx) {
		if (this.idleTimeoutSuspensions == 0 || --this.idleTimeoutSuspensions > 0) {
			return;
		}
		long millis = this.idleTimeoutMillis;
		this.idleTimeoutMillis = 0;
		if (millis > 0 && ctx.channel().isActive()) {
			IdleTimeoutHandler.addIdleTimeoutHandler(ctx.pipeline(), Duration.ofMillis(millis),
					HttpConnectionLiveness.CLOSE);
		}
	}

	private void forgetIdleTimeout() {
		if (this.idleTimeoutSuspensions > 0 && --this.idleTimeoutSuspensions == 0) {
			this.idleTimeoutMillis = 0;
		}
	}

	private static void onEventLoop(ChannelHandlerContext ctx, Runnable task) {
		if (ctx.executor().inEventLoop()) {
			task.run();
		}
		else {
			ctx.executor().execute(task);
		}
	}

	/**
	 * Answer a candidate with what the file-system scheduler found for it (kept bytes that are still the file's, or
	 * the file opened), or pass the request on when it found nothing: the ordinary way then says what the file is
	 * now. Found things the answer cannot take (the client went away meanwhile) are discarded.
	 */
	private <T> void answerWhenFound(ChannelHandlerContext ctx, HttpRequest head, KeptFileAnswers.Candidate candidate,
			Mono<T> found, Consumer<T> discard, Consumer<T> answer) {
		found.map(Optional::of).defaultIfEmpty(Optional.empty()).subscribe((result) -> {
			if (!ctx.channel().isActive()) {
				result.ifPresent(discard);
				this.checking = false;
			}
			else if (result.isPresent()) {
				// Counted before the answer leaves, so a client that has it finds it counted.
				files().answered(candidate);
				answer.accept(result.get());
				resume(ctx, head, false);
			}
			else {
				resume(ctx, head, true);
			}
		}, (ex) -> {
			// A saturated file-system scheduler, say: the ordinary way answers it as it answers it there.
			logger.debug("File not checked, going the ordinary way: " + ex);
			this.checking = false;
			if (ctx.channel().isActive()) {
				resume(ctx, head, true);
			}
		});
	}

	/**
	 * Send a whole file from its descriptor: the head, then the file as a region ({@code sendfile(2)}), then the
	 * end, under the validators of the file as it was opened. The descriptor is closed once the end is written or
	 * the connection failed; a body that could not be sent whole closes the connection, as on the ordinary path.
	 */
	private void send(ChannelHandlerContext ctx, HttpRequest head, OpenFile opened,
			KeptFileAnswers.Candidate candidate) {
		FileSnapshot file = opened.snapshot();
		PreparedHeaders prepared = preparedFor(candidate, file);
		DefaultHttpResponse response = (prepared != null)
				? new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, PreparedHeaders.UNCHECKED)
				: new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		try {
			setHeaders(response.headers(), prepared, file);
		}
		catch (RuntimeException ex) {
			opened.close();
			throw ex;
		}
		suspendIdleTimeout(ctx);
		ctx.write(response, ctx.voidPromise());
		if (file.size() > 0) {
			// The region holds the descriptor until Netty releases it; the file's own close stays idempotent.
			ctx.write(opened.region(0, file.size()))
				.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
		}
		Consumer<AccessLogArgProvider> log = this.accessLog;
		ZonedDateTime time = this.received;
		long started = this.receivedNanos;
		long bodyBytes = file.size();
		ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((sent) -> {
			opened.close();
			resumeIdleTimeout(ctx);
			if (sent.isSuccess() && log != null && time != null) {
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				log.accept(new PipelineAnswerArgs(head, response, ctx.channel().remoteAddress(), time, bodyBytes,
						millis));
			}
		});
	}

	/**
	 * Answer without a body, from the snapshot the request's lookup found: 304 Not Modified with the validators, or
	 * the head of the 200 a GET would get, as the ordinary way answers both.
	 */
	private void answerFromSnapshot(ChannelHandlerContext ctx, HttpRequest head, KeptFileAnswers.Candidate candidate,
			Reply reply) {
		if (reply == Reply.NOT_MODIFIED) {
			DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
					HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
			files().notModifiedHeaders(
					new org.springframework.http.HttpHeaders(new Netty4HeadersAdapter(response.headers())), candidate);
			writeAnswer(ctx, head, response);
			return;
		}
		writeAnswer(ctx, head, okResponse(Unpooled.EMPTY_BUFFER, candidate, candidate.file()));
	}

	private void answer(ChannelHandlerContext ctx, HttpRequest head, SmallFileCache.Kept kept,
			KeptFileAnswers.Candidate candidate) {
		writeAnswer(ctx, head, okResponse(kept.bytes(), candidate, kept.snapshot()));
	}

	/**
	 * The 200 answer with a whole file, whose body is {@code content} (released here if the headers fail).
	 */
	private FullHttpResponse okResponse(ByteBuf content, KeptFileAnswers.Candidate candidate, FileSnapshot file) {
		PreparedHeaders prepared = preparedFor(candidate, file);
		DefaultFullHttpResponse response = (prepared != null)
				? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content,
						PreparedHeaders.UNCHECKED, DefaultHttpHeadersFactory.trailersFactory())
				: new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
		try {
			setHeaders(response.headers(), prepared, file);
		}
		catch (RuntimeException ex) {
			response.release();
			throw ex;
		}
		return response;
	}

	/**
	 * The candidate's prepared headers, if they were prepared for the file answered with (the check may have found
	 * it as another snapshot describes it).
	 */
	private static @Nullable PreparedHeaders preparedFor(KeptFileAnswers.Candidate candidate, FileSnapshot file) {
		PreparedHeaders prepared = candidate.headers();
		return (prepared != null && (candidate.file() == file || candidate.file().equals(file))) ? prepared : null;
	}

	private void setHeaders(HttpHeaders headers, @Nullable PreparedHeaders prepared, FileSnapshot file) {
		if (prepared != null) {
			prepared.addTo(headers);
		}
		else {
			files().headers(new org.springframework.http.HttpHeaders(new Netty4HeadersAdapter(headers)), file);
		}
	}

	/**
	 * Write a whole answer in one flush, and its access-log line once it is sent.
	 */
	private void writeAnswer(ChannelHandlerContext ctx, HttpRequest head, FullHttpResponse response) {
		writeAnswer(ctx, head, response, Collections.emptyMap());
	}

	/**
	 * Write a whole answer in one flush, and its access-log line, with the exchange attributes it reads, once it is
	 * sent.
	 */
	private void writeAnswer(ChannelHandlerContext ctx, HttpRequest head, FullHttpResponse response,
			Map<String, Object> attributes) {
		Consumer<AccessLogArgProvider> log = this.accessLog;
		ZonedDateTime time = this.received;
		if (log == null || time == null) {
			ctx.writeAndFlush(response, ctx.voidPromise());
			return;
		}
		// What Reactor Netty's line gives as the size: the Content-Length sent, a HEAD's included.
		long bodyBytes = HttpUtil.getContentLength(response, response.content().readableBytes());
		long started = this.receivedNanos;
		// Written once the answer is sent, as Reactor Netty writes its lines (the response's headers stay readable
		// after its body is released).
		ctx.writeAndFlush(response).addListener((sent) -> {
			if (sent.isSuccess()) {
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				log.accept(new PipelineAnswerArgs(head, response, ctx.channel().remoteAddress(), time, bodyBytes,
						millis, attributes));
			}
		});
	}

	/**
	 * Finish the request answered here (or pass it on), then read on: what waited first, then the socket.
	 */
	private void resume(ChannelHandlerContext ctx, HttpRequest head, boolean passOn) {
		this.checking = false;
		if (this.paused) {
			// Before anything is passed on: Reactor Netty then finds reading as it left it.
			this.paused = false;
			ctx.channel().config().setAutoRead(true);
		}
		if (passOn) {
			passOn(ctx, head);
			ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
		}
		else if (!ctx.channel().config().isAutoRead() && this.passedOn == 0) {
			// Reactor Netty reads a new connection on demand (auto-read is off until its first request is done, and
			// on from then on while no request of its own holds it back). For an answer of this handler, this
			// handler turns it on as Reactor Netty would: asking for one read per request instead would cost two
			// changes of the socket's epoll interest per request.
			ctx.channel().config().setAutoRead(true);
		}
		if (this.draining) {
			return;
		}
		this.draining = true;
		try {
			while (!this.checking && !this.waiting.isEmpty()) {
				read(ctx, this.waiting.poll());
			}
		}
		finally {
			this.draining = false;
		}
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		// Only Reactor Netty's responses pass here (this handler writes from its own context, past itself); an
		// interim 100 Continue is not the end of one.
		if (msg instanceof LastHttpContent && this.passedOn > 0 && !(msg instanceof HttpResponse response
				&& response.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
			this.passedOn--;
			if (this.gateway != null) {
				// A backend's answer kept for this request and not taken (a filter answered it) is not for the next.
				this.gateway.discardHandoff(ctx.channel());
			}
		}
		ctx.write(msg, promise);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		releaseWaiting(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		releaseWaiting(ctx);
		ctx.fireChannelInactive();
	}

	private void releaseWaiting(ChannelHandlerContext ctx) {
		Disposable calling = this.calling;
		if (calling != null) {
			this.calling = null;
			calling.dispose();
		}
		if (this.gateway != null) {
			this.gateway.discardHandoff(ctx.channel());
		}
		this.request = null;
		this.file = null;
		this.call = null;
		this.reply = Reply.FILE;
		Object msg;
		while ((msg = this.waiting.poll()) != null) {
			ReferenceCountUtil.release(msg);
		}
	}

	/** How a request taken here is answered. */
	private enum Reply {

		/** With the file: its kept bytes once checked, or the file opened and sent from its descriptor. */
		FILE,

		/** 304 Not Modified, from the lookup's snapshot. */
		NOT_MODIFIED,

		/** The head of the 200, from the lookup's snapshot. */
		HEAD

	}

}
