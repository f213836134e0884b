package dev.lighttpdboot.sendfile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.FileSystemScheduler;
import dev.lighttpdboot.files.OpenFile;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.RegionWriter;
import dev.lighttpdboot.text.LogText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;

/**
 * Answers a response that carries a sendfile header with the file it names, in place of the body its producer
 * wrote. Used by {@link XSendfileWebFilter} for the application's handlers, and usable by any other producer of
 * responses (a gateway route whose backend may answer with X-Sendfile).
 * <ul>
 * <li>{@code X-Sendfile}, {@code X-LIGHTTPD-send-file}, {@code X-Accel-Redirect}: the file goes through
 * {@link FileDelivery}, so the client's Range and conditional headers apply; Content-Length, ETag and
 * Last-Modified come from the file; the producer's Content-Type, Content-Disposition and Cache-Control stay. A
 * producer status other than 200 is kept and the whole file is its body, as lighttpd does; so is a method other
 * than GET and HEAD (a POST whose handler answers with a file). 204 and 304 from the producer stay bodiless.</li>
 * <li>{@code X-Sendfile2}: the listed ranges of the listed files, concatenated, with the producer's status and
 * type; no validators and no Range, as lighttpd does.</li>
 * <li>A file outside the allowed roots: 403 and a WARN line; a missing file: 404; a malformed header: 500.</li>
 * </ul>
 * The headers are removed from the response in every case.
 */
public final class XSendfile {

	private static final Log logger = LogFactory.getLog(XSendfile.class);

	private final SendfileHeaders headers;

	private final AllowedRoots allowedRoots;

	private final AccelLocations accelLocations;

	private final FileDelivery delivery;

	private final RegionWriter regionWriter;

	private final FileSystemScheduler fileSystem;

	private final SendfileMetrics metrics;

	/**
	 * Create the responder.
	 * @param headers the honoured headers
	 * @param allowedRoots where {@code X-Sendfile} and {@code X-Sendfile2} paths may point
	 * @param accelLocations how {@code X-Accel-Redirect} URIs map to directories
	 * @param delivery the file-delivery path
	 * @param fileSystem the scheduler for file-system calls
	 * @param metrics receives an event per handled header
	 */
	public XSendfile(SendfileHeaders headers, AllowedRoots allowedRoots, AccelLocations accelLocations,
			FileDelivery delivery, FileSystemScheduler fileSystem, SendfileMetrics metrics) {
		this.headers = headers;
		this.allowedRoots = allowedRoots;
		this.accelLocations = accelLocations;
		this.delivery = delivery;
		this.regionWriter = new RegionWriter(fileSystem);
		this.fileSystem = fileSystem;
		this.metrics = metrics;
	}

	/**
	 * Whether a response carries a header this responder acts on.
	 */
	public boolean isRequested(HttpHeaders responseHeaders) {
		return this.headers.isPresent(responseHeaders);
	}

	/**
	 * Remove every sendfile header, so that none reaches a client.
	 */
	public void strip(HttpHeaders responseHeaders) {
		this.headers.strip(responseHeaders);
	}

	/**
	 * Remove every sendfile header from a response about to be committed, so that none reaches a client.
	 */
	public void strip(ServerHttpResponse response) {
		this.headers.strip(response);
	}

	/**
	 * Answer with the file named in the response's headers; the caller has discarded the producer's body.
	 * @param request the request, whose method, Range and conditional headers apply
	 * @param response the response carrying the header, not yet committed
	 * @return completion, or an error with the status to answer (403, 404, 500)
	 */
	public Mono<Void> send(ServerHttpRequest request, ServerHttpResponse response) {
		HttpHeaders responseHeaders = response.getHeaders();
		SendfileInstruction instruction;
		try {
			instruction = this.headers.parse(responseHeaders);
		}
		catch (InvalidSendfileHeaderException ex) {
			String header = this.headers.firstPresent(responseHeaders);
			strip(responseHeaders);
			forgetProducerPresentation(responseHeaders);
			logger.error("Malformed " + header + " header for " + LogText.printable(request.getPath().value()) + ": "
					+ LogText.printable(ex.getReason()));
			// parse() only throws for a header it found, so there is one to name.
			this.metrics.handled((header != null) ? header : "unknown", "invalid", 0);
			return Mono.error(ex);
		}
		strip(responseHeaders);
		if (instruction == null) {
			return response.setComplete();
		}
		for (String fromTheBody : List.of(HttpHeaders.CONTENT_LENGTH, HttpHeaders.TRANSFER_ENCODING, HttpHeaders.ETAG,
				HttpHeaders.LAST_MODIFIED, HttpHeaders.CONTENT_RANGE, HttpHeaders.ACCEPT_RANGES)) {
			responseHeaders.remove(fromTheBody);
		}
		Mono<Void> answer = switch (instruction.kind()) {
			case FILE -> lookUp(request, () -> this.allowedRoots.lookup(Path.of(instruction.path())))
				.flatMap((file) -> sendFile(request, response, file));
			case ACCEL_URI -> lookUp(request, () -> this.accelLocations.lookup(instruction.path()))
				.flatMap((file) -> sendFile(request, response, file));
			case RANGES -> sendParts(request, response, instruction);
		};
		boolean head = HttpMethod.HEAD.equals(request.getMethod());
		return answer
			.doOnSuccess((done) -> this.metrics.handled(instruction.header(), "ok",
					head ? 0 : Math.max(responseHeaders.getContentLength(), 0)))
			.doOnError(ResponseStatusException.class, (ex) -> failed(request, response, instruction, ex));
	}

	private Mono<FileSnapshot> lookUp(ServerHttpRequest request,
			Callable<Optional<FileSnapshot>> lookup) {
		return this.fileSystem.call(request, () -> lookup.call().orElse(null))
			.switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no such file")))
			.flatMap((file) -> file.directory()
					? Mono.error(new PathRefusedException(HttpStatus.FORBIDDEN, "not a regular file")) : Mono.just(file));
	}

	private Mono<Void> sendFile(ServerHttpRequest request, ServerHttpResponse response, FileSnapshot file) {
		MediaType producerType = response.getHeaders().getContentType();
		HttpStatusCode status = response.getStatusCode();
		HttpMethod method = request.getMethod();
		boolean getOrHead = FileDelivery.isRead(method);
		if ((status == null || status.value() == 200) && getOrHead) {
			return this.delivery.deliver(request, response, file, producerType);
		}
		if (status != null && (status.value() == 204 || status.value() == 304 || status.is1xxInformational())) {
			// These statuses have no body; the producer decided so.
			return response.setComplete();
		}
		// A producer status such as 404, or a method such as POST that the producer handled: the file is the body
		// of the producer's answer, without validators or Range (they apply to GET only).
		if (producerType == null) {
			response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
		}
		if (HttpMethod.HEAD.equals(request.getMethod()) || file.size() == 0) {
			response.getHeaders().setContentLength(file.size());
			return response.setComplete();
		}
		return this.delivery.open(request, file).flatMap((opened) -> {
			// The length of the file as opened, which is the file sent.
			response.getHeaders().setContentLength(opened.snapshot().size());
			return this.regionWriter.write(response, opened, 0, opened.snapshot().size())
				.doFinally((signal) -> opened.close());
		});
	}

	private Mono<Void> sendParts(ServerHttpRequest request, ServerHttpResponse response,
			SendfileInstruction instruction) {
		return this.fileSystem.call(request, () -> openParts(instruction))
			.doOnDiscard(OpenParts.class, OpenParts::close)
			.flatMap((parts) -> {
				long length = parts.regions().stream().mapToLong(RegionWriter.Region::count).sum();
				response.getHeaders().setContentLength(length);
				if (response.getHeaders().getContentType() == null) {
					response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
				}
				if (HttpMethod.HEAD.equals(request.getMethod())) {
					return response.setComplete().doFinally((signal) -> parts.close());
				}
				return this.regionWriter.write(response, parts.regions()).doFinally((signal) -> parts.close());
			});
	}

	private OpenParts openParts(SendfileInstruction instruction) throws IOException {
		OpenParts parts = new OpenParts(new ArrayList<>());
		try {
			for (SendfileInstruction.Part part : instruction.ranges()) {
				FileSnapshot file = this.allowedRoots.lookup(part.path())
					.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no such file"));
				OpenFile opened = OpenFile.open(file);
				if (opened == null) {
					throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such file");
				}
				// Registered before any check, so that a refusal below closes it with the others.
				long size = opened.snapshot().size();
				parts.regions().add(new RegionWriter.Region(opened, 0, size));
				long end = (part.end() == -1) ? size - 1 : part.end();
				if (part.start() >= size || end >= size) {
					throw new InvalidSendfileHeaderException("X-Sendfile2 range " + part.start() + "-" + part.end()
							+ " is outside a file of " + size + " bytes");
				}
				parts.regions().set(parts.regions().size() - 1,
						new RegionWriter.Region(opened, part.start(), end - part.start() + 1));
			}
			return parts;
		}
		catch (IOException | RuntimeException ex) {
			parts.close();
			throw ex;
		}
	}

	/**
	 * The open files of an {@code X-Sendfile2} answer, closed together.
	 */
	private record OpenParts(List<RegionWriter.Region> regions) implements AutoCloseable {

		@Override
		public void close() {
			this.regions.forEach((region) -> region.file().close());
		}

	}

	private static void forgetProducerPresentation(HttpHeaders headers) {
		headers.remove(HttpHeaders.CONTENT_DISPOSITION);
		headers.remove(HttpHeaders.CONTENT_TYPE);
	}

	private void failed(ServerHttpRequest request, ServerHttpResponse response, SendfileInstruction instruction,
			ResponseStatusException ex) {
		// The error page must not inherit what the producer meant for the file (an attachment name, say).
		forgetProducerPresentation(response.getHeaders());
		int status = ex.getStatusCode().value();
		String outcome = (status == 403) ? "forbidden" : (status == 404) ? "not-found" : "invalid";
		this.metrics.handled(instruction.header(), outcome, 0);
		String message = instruction.header() + " '" + LogText.printable(instruction.path()) + "' for "
				+ LogText.printable(request.getPath().value()) + ": "
				+ ex.getReason() + " (" + status + ")";
		// 403 and 404 at DEBUG: a script that passes a client's input on can be made to ask for anything, as often as
		// the client likes; lighttpd.sendfile.requests counts them by outcome.
		if (status == 403) {
			logger.debug("Refused " + message + ((instruction.kind() != SendfileInstruction.Kind.ACCEL_URI)
					? "; allowed roots: " + this.allowedRoots : ""));
		}
		else if (status >= 500) {
			logger.error("Failed " + message);
		}
		else {
			logger.debug("Not found: " + message);
		}
	}

}
