package dev.lighttpdboot.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DateFormatter;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.Resource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.support.ResourceRegion;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one way this project sends a file: static files, X-Sendfile, signed links and FLV seeks all end here, so
 * they share the same semantics.
 * <ul>
 * <li>GET and HEAD; OPTIONS answers with {@code Allow}; any other method gets 405 with {@code Allow}.</li>
 * <li>{@code ETag}, {@code Last-Modified} and {@code Accept-Ranges} on every answer; {@code If-Match} and
 * {@code If-Unmodified-Since} give 412, {@code If-None-Match} and {@code If-Modified-Since} give 304.</li>
 * <li>{@code Range} on GET, parsed by Spring's {@link HttpRange}: one satisfiable range gives 206 with
 * {@code Content-Range}; several give {@code multipart/byteranges} (framed as Spring's {@code ResourceRegionEncoder} does);
 * none satisfiable gives 416 with {@code Content-Range: bytes *}{@code /size}. A malformed Range header, or
 * ranges that together ask for at least the whole file, are ignored (200 with the whole file), as RFC 9110
 * allows. {@code If-Range} is evaluated here: a Range applies only if it names the current file.</li>
 * <li>Open once, trust the descriptor: a GET opens the file ({@link OpenFile}) without following symlinks and
 * checks that it is the file that was looked up; every header and byte after that comes from the open file. The
 * whole file or a single range is written by {@link RegionWriter}: {@code sendfile(2)} from that descriptor
 * whenever the connection allows it, else buffers read from it; multipart ranges are read from it too.</li>
 * <li>Small files from memory: a GET without Range for a whole file the {@link SmallFileCache} accepts is
 * answered from its kept bytes, checked against the file as it is now, and read from the opened descriptor into
 * it when missing or changed. The bytes go out as the one buffer of the body, which WebFlux and Reactor Netty write
 * with the headers as one message: one write, one system call.</li>
 * <li>A {@link StreamingSeek} (FLV {@code ?start=}) that applies to the request answers instead, before any
 * of the above.</li>
 * </ul>
 * This class never touches the file system on the calling thread: it works from a {@link FileSnapshot} taken
 * on the file-system scheduler, and opens on that scheduler.
 */
public final class FileDelivery {

	private static final Log logger = LogFactory.getLog(FileDelivery.class);

	private static final String ALLOWED_METHODS = "GET, HEAD, OPTIONS";

	private final ContentTypes contentTypes;

	private final FileSystemScheduler fileSystem;

	private final RegionWriter regionWriter;

	private final List<StreamingSeek> seeks;

	private final SmallFileCache memory;

	private final OpenFileCache descriptors;

	public FileDelivery(ContentTypes contentTypes, FileSystemScheduler fileSystem) {
		this(contentTypes, fileSystem, List.of());
	}

	public FileDelivery(ContentTypes contentTypes, FileSystemScheduler fileSystem, List<StreamingSeek> seeks) {
		this(contentTypes, fileSystem, seeks, SmallFileCache.disabled());
	}

	/**
	 * Create the delivery path.
	 * @param contentTypes chooses Content-Type from file names
	 * @param fileSystem the scheduler for blocking file-system calls
	 * @param seeks pseudo-streaming seeks, asked in order before the ordinary answer
	 * @param memory the bytes of small files, sent with their headers in one write
	 */
	public FileDelivery(ContentTypes contentTypes, FileSystemScheduler fileSystem, List<StreamingSeek> seeks,
			SmallFileCache memory) {
		this(contentTypes, fileSystem, seeks, memory, OpenFileCache.disabled());
	}

	/**
	 * Create the delivery path.
	 * @param contentTypes chooses Content-Type from file names
	 * @param fileSystem the scheduler for blocking file-system calls
	 * @param seeks pseudo-streaming seeks, asked in order before the ordinary answer
	 * @param memory the bytes of small files, sent with their headers in one write
	 * @param descriptors the descriptors of files sent from their descriptor, kept open between requests
	 */
	public FileDelivery(ContentTypes contentTypes, FileSystemScheduler fileSystem, List<StreamingSeek> seeks,
			SmallFileCache memory, OpenFileCache descriptors) {
		this.contentTypes = contentTypes;
		this.fileSystem = fileSystem;
		this.regionWriter = new RegionWriter(fileSystem);
		this.seeks = List.copyOf(seeks);
		this.memory = memory;
		this.descriptors = descriptors;
	}

	/**
	 * Answer the exchange with a file, its Content-Type chosen from its name.
	 */
	public Mono<Void> deliver(ServerWebExchange exchange, FileSnapshot file) {
		return deliver(exchange.getRequest(), exchange.getResponse(), file, null);
	}

	/**
	 * Answer a request with a file.
	 * <p>A GET (and any seek) first opens the file on the file-system scheduler, and everything after (validators,
	 * ranges, length, the bytes) comes from the opened file; a file replaced since {@code file} was taken is
	 * answered as it is now, never with its old validators. A HEAD, and a GET that {@code file} already answers
	 * with 304 or 412, need no body and open nothing.
	 * @param request the request whose method, conditional and Range headers apply
	 * @param response the response to write
	 * @param file the file, stat'ed on the file-system scheduler (possibly a moment ago, by a stat cache)
	 * @param contentType the Content-Type to send, or {@code null} to choose it from the file name
	 * @return completion of the response; an error {@link PathRefusedException} with 404 if the file is gone or
	 * is no longer a regular file when it is opened
	 */
	public Mono<Void> deliver(ServerHttpRequest request, ServerHttpResponse response, FileSnapshot file,
			@Nullable MediaType contentType) {
		if (file.directory()) {
			return Mono.error(new PathRefusedException(HttpStatus.FORBIDDEN, "not a regular file"));
		}
		HttpMethod method = request.getMethod();
		if (!isRead(method)) {
			return answerOtherMethod(method, response);
		}
		boolean seek = seekFor(request, file) != null;
		if (!seek && (HttpMethod.HEAD.equals(method)
				|| Preconditions.evaluate(request.getHeaders(), file) != Preconditions.Outcome.PROCEED)) {
			return respond(request, response, file, contentType, null, null);
		}
		if (!seek && this.memory.accepts(file) && !request.getHeaders().containsHeader(HttpHeaders.RANGE)) {
			return fromMemory(request, file).flatMap((loaded) -> {
				OpenFile opened = loaded.opened();
				return (opened == null)
						? respond(request, response, loaded.snapshot(), contentType, null, loaded.bytes())
						: respond(request, response, opened.snapshot(), contentType, opened, null)
							.doFinally((signal) -> opened.close());
			});
		}
		return open(request, file)
			.flatMap((opened) -> respond(request, response, opened.snapshot(), contentType, opened, null)
				.doFinally((signal) -> opened.close()));
	}

	/**
	 * On the file-system scheduler: the kept bytes if the file is still the one they were read from (a quick call,
	 * whose hop the requests of one event-loop turn share), else open the file and read it into memory; a file that
	 * changed since it was checked and is no longer small stays open instead, for the ordinary answer.
	 */
	private Mono<Loaded> fromMemory(ServerHttpRequest request, FileSnapshot file) {
		return kept(file, (find) -> this.fileSystem.quickCall(request, find))
			.map((kept) -> new Loaded(kept.snapshot(), kept.bytes(), null))
			.switchIfEmpty(Mono.defer(() -> this.fileSystem.call(request, () -> readIntoMemory(file))))
			.switchIfEmpty(Mono.error(() -> new PathRefusedException(HttpStatus.NOT_FOUND,
					"no such file any more: " + file.fileName())))
			.doOnDiscard(SmallFileCache.Kept.class, (kept) -> kept.bytes().release())
			.doOnDiscard(Loaded.class, Loaded::release);
	}

	private @Nullable Loaded readIntoMemory(FileSnapshot file) throws IOException {
		OpenFile opened = OpenFile.open(file);
		if (opened == null) {
			return null;
		}
		if (!this.memory.accepts(opened.snapshot())) {
			return new Loaded(opened.snapshot(), null, opened);
		}
		try (opened) {
			return new Loaded(opened.snapshot(), this.memory.load(opened), null);
		}
	}

	/**
	 * Whether a GET for the whole of this file is answered from memory: a file the small-file cache keeps.
	 */
	public boolean keepsInMemory(FileSnapshot file) {
		return this.memory.accepts(file);
	}

	/**
	 * The kept bytes of a small file, if they are kept and the file is still the one they were read from: checked
	 * by an {@code lstat} begun after this call (which the requests that asked before it began share) on the
	 * file-system scheduler, then on {@code eventLoop}. Nothing is read or kept here: a miss
	 * is left to {@link #deliver}, which reads the file into memory.
	 * @param eventLoop where the answer continues
	 * @param file the file as a lookup described it
	 * @return the bytes (a retained duplicate the subscriber must release) with the snapshot whose validators
	 * answer, or empty if the file is not one this cache keeps or its bytes are not kept
	 */
	public Mono<SmallFileCache.Kept> kept(EventLoop eventLoop, FileSnapshot file) {
		if (!this.memory.accepts(file)) {
			return Mono.empty();
		}
		return kept(file, (find) -> this.fileSystem.quickCall(eventLoop, find))
			.doOnDiscard(SmallFileCache.Kept.class, (kept) -> kept.bytes().release());
	}

	/**
	 * The kept bytes of a small file, if a check within the memory cache's check validity found the file unchanged:
	 * at once, for a caller on an event loop that answers without a {@link Mono} (see {@link #kept(EventLoop,
	 * FileSnapshot)} for everything else). Never blocks.
	 * @param file the file as a lookup described it
	 * @return the bytes (a retained duplicate the caller must release) with {@code file}, or {@code null}
	 */
	public SmallFileCache.@Nullable Kept keptIfRecentlyChecked(FileSnapshot file) {
		return this.memory.accepts(file) ? this.memory.findRecentlyChecked(file, System.nanoTime()) : null;
	}

	/**
	 * A hold on the kept descriptor of a file, if a check within the open-file cache's check validity found the
	 * file unchanged: at once, for a caller on an event loop (see {@link #open(EventLoop, FileSnapshot)} for
	 * everything else). Never blocks.
	 * @param file the file as a lookup described it
	 * @return the open file, which the caller closes, or {@code null}
	 */
	public @Nullable OpenFile openIfRecentlyChecked(FileSnapshot file) {
		return this.descriptors.accepts(file) ? this.descriptors.findRecentlyChecked(file, System.nanoTime()) : null;
	}

	/**
	 * The kept bytes of a small file: at once if a recent check found the file unchanged (a check validity is set),
	 * else checked in a quick call.
	 */
	private Mono<SmallFileCache.Kept> kept(FileSnapshot file,
			Function<Callable<SmallFileCache.@Nullable Kept>, Mono<SmallFileCache.Kept>> quickCall) {
		long askedAt = System.nanoTime();
		return Mono.defer(() -> {
			SmallFileCache.Kept recentlyChecked = this.memory.findRecentlyChecked(file, askedAt);
			return (recentlyChecked != null) ? Mono.just(recentlyChecked)
					: quickCall.apply(() -> this.memory.find(file, askedAt));
		});
	}

	/**
	 * A file read for a request: its bytes, or the open file when it is not small after all.
	 */
	private record Loaded(FileSnapshot snapshot, @Nullable ByteBuf bytes, @Nullable OpenFile opened) {

		void release() {
			if (this.bytes != null) {
				this.bytes.release();
			}
			if (this.opened != null) {
				this.opened.close();
			}
		}

	}

	/**
	 * Open a checked file on the file-system scheduler, continuing on the request's event loop (see
	 * {@link OpenFile#open(FileSnapshot)}). The caller closes the file when it is done with it; a file opened for a
	 * request that was cancelled meanwhile is closed here.
	 * @param request the request, whose event loop receives the file
	 * @param file the checked file
	 * @return the open file; an error {@link PathRefusedException} with 404 if nothing that may be sent is there
	 */
	public Mono<OpenFile> open(ServerHttpRequest request, FileSnapshot file) {
		return opened(file, (find) -> this.fileSystem.quickCall(request, find),
				(open) -> this.fileSystem.call(request, open))
			.switchIfEmpty(Mono.error(() -> new PathRefusedException(HttpStatus.NOT_FOUND,
					"no such file any more: " + file.fileName())))
			.doOnDiscard(OpenFile.class, OpenFile::close);
	}

	/**
	 * Open a checked file on the file-system scheduler for a caller that sends it itself, continuing on
	 * {@code eventLoop} (see {@link OpenFile#open(FileSnapshot)}): the caller closes the file when it is done with
	 * it; a file opened for a subscriber that cancelled meanwhile is closed here.
	 * @param eventLoop where the answer continues
	 * @param file the checked file
	 * @return the open file, whose {@link OpenFile#snapshot()} gives the validators to answer with, or empty if
	 * nothing that may be sent is there
	 */
	public Mono<OpenFile> open(EventLoop eventLoop, FileSnapshot file) {
		return opened(file, (find) -> this.fileSystem.quickCall(eventLoop, find),
				(open) -> this.fileSystem.call(eventLoop, open))
			.doOnDiscard(OpenFile.class, OpenFile::close);
	}

	/**
	 * A checked file, open: a hold on its kept descriptor if the {@link OpenFileCache} keeps one that is still the
	 * file's (at once if a recent check found it unchanged and a check validity is set, else in a quick call, whose
	 * hop the requests of one event-loop turn share), else opened now (and kept, if the cache accepts it).
	 */
	private Mono<OpenFile> opened(FileSnapshot file, Function<Callable<@Nullable OpenFile>, Mono<OpenFile>> quickCall,
			Function<Callable<@Nullable OpenFile>, Mono<OpenFile>> blockingCall) {
		if (!this.descriptors.accepts(file)) {
			return blockingCall.apply(() -> OpenFile.open(file));
		}
		long askedAt = System.nanoTime();
		return Mono.defer(() -> {
			OpenFile recentlyChecked = this.descriptors.findRecentlyChecked(file, askedAt);
			return (recentlyChecked != null) ? Mono.just(recentlyChecked)
					: quickCall.apply(() -> this.descriptors.find(file, askedAt));
		})
			.switchIfEmpty(Mono.defer(() -> blockingCall.apply(() -> this.descriptors.open(file))));
	}

	private @Nullable StreamingSeek seekFor(ServerHttpRequest request, FileSnapshot file) {
		for (StreamingSeek seek : this.seeks) {
			if (seek.appliesTo(request, file)) {
				return seek;
			}
		}
		return null;
	}

	/**
	 * Answer from a snapshot, with the body from {@code opened} or from {@code bytes} (whose reference this method
	 * takes over: written or released), or with no body when both are {@code null}.
	 */
	private Mono<Void> respond(ServerHttpRequest request, ServerHttpResponse response, FileSnapshot file,
			@Nullable MediaType contentType, @Nullable OpenFile opened, @Nullable ByteBuf bytes) {
		if (bytes == null) {
			return respondWith(request, response, file, contentType, opened, null);
		}
		// Kept bytes are only used when no Range applies: all but the whole-body answer drop them.
		Body body = new Body(bytes);
		try {
			return respondWith(request, response, file, contentType, null, body)
				.doFinally((signal) -> body.release());
		}
		catch (RuntimeException | Error ex) {
			body.release();
			throw ex;
		}
	}

	private Mono<Void> respondWith(ServerHttpRequest request, ServerHttpResponse response, FileSnapshot file,
			@Nullable MediaType contentType, @Nullable OpenFile opened, @Nullable Body body) {
		HttpMethod method = request.getMethod();
		HttpHeaders headers = response.getHeaders();
		if (opened != null) {
			StreamingSeek seek = seekFor(request, file);
			if (seek != null) {
				return seek.write(request, response, opened);
			}
		}
		validators(headers, file);
		switch (Preconditions.evaluate(request.getHeaders(), file)) {
			case NOT_MODIFIED:
				response.setStatusCode(HttpStatus.NOT_MODIFIED);
				return response.setComplete();
			case PRECONDITION_FAILED:
				response.setStatusCode(HttpStatus.PRECONDITION_FAILED);
				headers.setContentLength(0);
				return response.setComplete();
			default:
				break;
		}
		MediaType type = (contentType != null) ? contentType : this.contentTypes.forFileName(file.fileName());
		headers.setContentType(type);
		String range = normalizedRange(request.getHeaders().getFirst(HttpHeaders.RANGE));
		// A body from memory has no open file to slice: it goes out whole, which a server may do for any Range.
		if (range != null && opened != null && HttpMethod.GET.equals(method)
				&& Preconditions.rangeApplies(request.getHeaders(), file)) {
			return writeRanges(range, response, file, type, opened);
		}
		if (body != null) {
			response.getHeaders().setContentLength(file.size());
			return writeBody(response, body);
		}
		return writeWhole(method, response, file, opened);
	}

	private static void validators(HttpHeaders headers, FileSnapshot file) {
		headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
		headers.setETag(file.etag());
		// Netty's formatter (the one Reactor Netty uses for Date) costs a fraction of HttpHeaders.setLastModified's
		// java.time formatting, which showed in profiles of small files; the text is the same IMF-fixdate.
		headers.set(HttpHeaders.LAST_MODIFIED, DateFormatter.format(new Date(file.lastModified().toEpochMilli())));
	}

	/**
	 * Set the headers of a 200 answer with a whole regular file and no Range, exactly as {@link #deliver} sets them
	 * for a GET or HEAD without conditions: for a caller that sends the body itself.
	 * @param headers the response headers
	 * @param file the file sent
	 */
	public void wholeFileHeaders(HttpHeaders headers, FileSnapshot file) {
		validators(headers, file);
		headers.setContentType(this.contentTypes.forFileName(file.fileName()));
		headers.setContentLength(file.size());
	}

	/**
	 * Whether the conditions of a GET or HEAD without {@code Range} make its answer 304 Not Modified, evaluated as
	 * {@link #deliver} evaluates them on the same file.
	 * @param request the request headers
	 * @param file the file, as the request's lookup found it
	 */
	public boolean notModified(HttpHeaders request, FileSnapshot file) {
		return Preconditions.evaluate(request, file) == Preconditions.Outcome.NOT_MODIFIED;
	}

	/**
	 * Set the headers of a 304 answer for a file, exactly as {@link #deliver} sets them: for a caller that answers
	 * it itself.
	 * @param headers the response headers
	 * @param file the file, as the request's lookup found it
	 */
	public void notModifiedHeaders(HttpHeaders headers, FileSnapshot file) {
		validators(headers, file);
	}

	/**
	 * Whether a pseudo-streaming seek (FLV {@code ?start=}) could answer some request for a file instead of the
	 * ordinary answer; only requests with a query can ask for one. Never blocks.
	 */
	public boolean mayBeSought(FileSnapshot file) {
		for (StreamingSeek seek : this.seeks) {
			if (seek.mayApplyTo(file)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Write a small file's bytes as the whole body, as one buffer: WebFlux and Reactor Netty send a single-buffer
	 * body with the headers in one message, so the answer leaves in one write.
	 */
	private static Mono<Void> writeBody(ServerHttpResponse response, Body body) {
		ByteBuf bytes = body.take();
		DataBufferFactory factory = response.bufferFactory();
		DataBuffer buffer;
		if (factory instanceof NettyDataBufferFactory netty) {
			buffer = netty.wrap(bytes);
		}
		else {
			// Not a Netty server: its own buffer, copied.
			try {
				buffer = factory.wrap(ByteBufUtil.getBytes(bytes));
			}
			finally {
				bytes.release();
			}
		}
		return response.writeWith(Mono.just(buffer));
	}

	/**
	 * Kept bytes on their way to a response: taken by the write, else released when the answer needs no body.
	 */
	private static final class Body {

		private final AtomicReference<ByteBuf> bytes;

		Body(ByteBuf bytes) {
			this.bytes = new AtomicReference<>(bytes);
		}

		ByteBuf take() {
			return this.bytes.getAndSet(null);
		}

		void release() {
			ByteBuf left = take();
			if (left != null) {
				left.release();
			}
		}

	}

	private static @Nullable String normalizedRange(@Nullable String range) {
		// Range units are case-insensitive (RFC 9110 section 14.1); Spring's parser expects lower case.
		if (range != null && range.regionMatches(true, 0, "bytes=", 0, 6) && !range.startsWith("bytes=")) {
			return "bytes=" + range.substring(6);
		}
		return range;
	}

	/**
	 * Whether a method reads a file (GET or HEAD).
	 */
	public static boolean isRead(HttpMethod method) {
		return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
	}

	/**
	 * Answer a method other than GET and HEAD on something that can only be read: 200 for OPTIONS, else 405, both
	 * with {@code Allow}.
	 */
	public static Mono<Void> answerOtherMethod(HttpMethod method, ServerHttpResponse response) {
		response.getHeaders().set(HttpHeaders.ALLOW, ALLOWED_METHODS);
		response.getHeaders().setContentLength(0);
		response.setStatusCode(HttpMethod.OPTIONS.equals(method) ? HttpStatus.OK : HttpStatus.METHOD_NOT_ALLOWED);
		return response.setComplete();
	}

	private Mono<Void> writeWhole(HttpMethod method, ServerHttpResponse response, FileSnapshot file,
			@Nullable OpenFile opened) {
		response.getHeaders().setContentLength(file.size());
		if (HttpMethod.HEAD.equals(method) || file.size() == 0 || opened == null) {
			return response.setComplete();
		}
		return this.regionWriter.write(response, opened, 0, file.size());
	}

	private Mono<Void> writeRanges(String rangeHeader, ServerHttpResponse response, FileSnapshot file,
			MediaType type, OpenFile opened) {
		List<HttpRange> requested;
		try {
			requested = HttpRange.parseRanges(rangeHeader);
		}
		catch (IllegalArgumentException ex) {
			logger.debug("Ignoring malformed Range '" + rangeHeader + "': " + ex.getMessage());
			return writeWhole(HttpMethod.GET, response, file, opened);
		}
		if (requested.isEmpty()) {
			// "Range:" or "Range: bytes=" asks for nothing in particular: ignore it, like a malformed one.
			return writeWhole(HttpMethod.GET, response, file, opened);
		}
		List<HttpRange> satisfiable = satisfiable(requested, file.size());
		HttpHeaders headers = response.getHeaders();
		if (satisfiable.isEmpty()) {
			response.setStatusCode(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
			headers.remove(HttpHeaders.CONTENT_TYPE);
			headers.set(HttpHeaders.CONTENT_RANGE, "bytes */" + file.size());
			headers.setContentLength(0);
			return response.setComplete();
		}
		Resource resource = file.asResource();
		List<ResourceRegion> regions;
		try {
			regions = HttpRange.toResourceRegions(satisfiable, resource);
		}
		catch (IllegalArgumentException ex) {
			// Several ranges adding up to the whole file or more: sending them would amplify the response.
			logger.debug("Ignoring Range '" + rangeHeader + "': " + ex.getMessage());
			return writeWhole(HttpMethod.GET, response, file, opened);
		}
		response.setStatusCode(HttpStatus.PARTIAL_CONTENT);
		if (regions.size() == 1) {
			ResourceRegion region = regions.get(0);
			long first = region.getPosition();
			long last = first + region.getCount() - 1;
			headers.set(HttpHeaders.CONTENT_RANGE, "bytes " + first + "-" + last + "/" + file.size());
			headers.setContentLength(region.getCount());
			return this.regionWriter.write(response, opened, first, region.getCount());
		}
		String boundary = boundary();
		headers.setContentType(MediaType.parseMediaType("multipart/byteranges;boundary=" + boundary));
		return writeParts(response, regions, boundary, type, file.size(), opened);
	}

	/**
	 * Write {@code multipart/byteranges} as Spring's {@code ResourceRegionEncoder} frames it, but from the open
	 * file (the encoder would open the file by name for each part) and with a Content-Length, as every part's
	 * length is known.
	 */
	private Mono<Void> writeParts(ServerHttpResponse response, List<ResourceRegion> regions, String boundary,
			MediaType type, long size, OpenFile opened) {
		List<byte[]> partHeads = new ArrayList<>(regions.size());
		long length = 0;
		for (ResourceRegion region : regions) {
			long first = region.getPosition();
			long last = first + region.getCount() - 1;
			byte[] head = ("\r\n--" + boundary + "\r\nContent-Type: " + type + "\r\nContent-Range: bytes " + first
					+ "-" + last + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
			partHeads.add(head);
			length += head.length + region.getCount();
		}
		byte[] end = ("\r\n--" + boundary + "--").getBytes(StandardCharsets.US_ASCII);
		response.getHeaders().setContentLength(length + end.length);
		DataBufferFactory buffers = response.bufferFactory();
		Flux<DataBuffer> body = Flux.range(0, regions.size())
			.concatMap((i) -> Flux.concat(Mono.fromSupplier(() -> buffers.wrap(partHeads.get(i))),
					this.regionWriter.read(buffers, opened, regions.get(i).getPosition(), regions.get(i).getCount())))
			.concatWith(Mono.fromSupplier(() -> buffers.wrap(end)));
		return response.writeWith(body);
	}

	private static String boundary() {
		// Spring's generator draws from SecureRandom, which may read /dev/urandom: a blocking call on an event
		// loop. A boundary only has to be unlikely to occur in the parts.
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
	}

	private static List<HttpRange> satisfiable(List<HttpRange> ranges, long size) {
		List<HttpRange> result = new ArrayList<>(ranges.size());
		for (HttpRange range : ranges) {
			if (size > 0 && range.getRangeStart(size) < size) {
				result.add(range);
			}
		}
		return result;
	}

}
