package dev.lighttpdboot.streaming;

import java.util.List;
import java.util.Locale;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.OpenFile;
import dev.lighttpdboot.files.RegionWriter;
import dev.lighttpdboot.files.StreamingSeek;
import dev.lighttpdboot.text.QueryParameters;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * FLV pseudo-streaming, as lighttpd's mod_flv_streaming and nginx's flv module: a GET of an FLV file with
 * {@code ?start=N}, 0 &lt; N &lt; size, is answered 200 with a 13-byte FLV header followed by the file from byte N
 * (a player seeks to a keyframe offset it read from the file's metadata). The header goes out as one small buffer,
 * the rest of the file as a zero-copy region.
 * <p>Anything else ({@code start} absent, 0, not a number, negative or past the end) is not a seek: the file is
 * delivered as usual, Range included.
 */
public final class FlvSeek implements StreamingSeek {

	/**
	 * "FLV", version 1, flags 0x01 (video), header length 9, PreviousTagSize0 = 0. (lighttpd wrote 9 as the
	 * previous tag size, a harmless quirk; 0 is what the FLV specification asks for, and what nginx sends.)
	 */
	static final byte[] HEADER = { 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0 };

	private static final MediaType VIDEO_FLV = MediaType.parseMediaType("video/x-flv");

	private final List<String> extensions;

	private final RegionWriter regionWriter;

	private final StreamingMetrics metrics;

	/**
	 * Create the seek.
	 * @param extensions file-name suffixes that are FLV files, for example {@code .flv} (case-insensitive)
	 * @param regionWriter writes the header and the file region
	 * @param metrics records each seek
	 */
	public FlvSeek(List<String> extensions, RegionWriter regionWriter, StreamingMetrics metrics) {
		this.extensions = extensions.stream().map((extension) -> extension.toLowerCase(Locale.ROOT)).toList();
		this.regionWriter = regionWriter;
		this.metrics = metrics;
	}

	@Override
	public boolean appliesTo(ServerHttpRequest request, FileSnapshot file) {
		if (!FileDelivery.isRead(request.getMethod())) {
			return false;
		}
		if (!isFlv(file.fileName())) {
			return false;
		}
		long start = startOf(request);
		return start > 0 && start < file.size();
	}

	@Override
	public boolean mayApplyTo(FileSnapshot file) {
		return isFlv(file.fileName());
	}

	@Override
	public Mono<Void> write(ServerHttpRequest request, ServerHttpResponse response, OpenFile file) {
		long start = startOf(request);
		long count = file.snapshot().size() - start;
		response.setStatusCode(HttpStatus.OK);
		response.getHeaders().setContentType(VIDEO_FLV);
		response.getHeaders().setContentLength(HEADER.length + count);
		this.metrics.seek("flv", HEADER.length + count);
		if (HttpMethod.HEAD.equals(request.getMethod())) {
			return response.setComplete();
		}
		return this.regionWriter.write(response, HEADER, file, start, count);
	}

	private boolean isFlv(String fileName) {
		String name = fileName.toLowerCase(Locale.ROOT);
		for (String extension : this.extensions) {
			if (name.endsWith(extension)) {
				return true;
			}
		}
		return false;
	}

	private static long startOf(ServerHttpRequest request) {
		String start = QueryParameters.tryParse(request.getURI().getRawQuery())
			.flatMap((query) -> query.first("start"))
			.orElse(null);
		if (start == null || start.isEmpty() || start.length() > 18) {
			return -1;
		}
		for (int i = 0; i < start.length(); i++) {
			if (start.charAt(i) < '0' || start.charAt(i) > '9') {
				return -1;
			}
		}
		return Long.parseLong(start);
	}

}
