package dev.lighttpdboot.files;

import reactor.core.publisher.Mono;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * A pseudo-streaming seek: a request that asks, through its query, for a media file from an offset, answered with
 * the format's header followed by the rest of the file (FLV's {@code ?start=}, later MP4's). {@link FileDelivery}
 * asks each seek before its ordinary answer, so seeking works wherever files are delivered: static files, signed
 * links and X-Sendfile.
 */
public interface StreamingSeek {

	/**
	 * Whether this request is a seek into this file that this implementation answers. Asked with the file as
	 * looked up, and again with the file as opened.
	 */
	boolean appliesTo(ServerHttpRequest request, FileSnapshot file);

	/**
	 * Whether some request for this file could be a seek this implementation answers, whatever its query: for a
	 * file it never applies to, a query (a cache-busting {@code ?v=3}, say) changes nothing, and the file may be
	 * answered whole without asking. Never blocks.
	 */
	default boolean mayApplyTo(FileSnapshot file) {
		return true;
	}

	/**
	 * Answer the seek: status, headers and body, the body from the open file ({@link OpenFile#snapshot()}
	 * describes it). The caller closes the file.
	 */
	Mono<Void> write(ServerHttpRequest request, ServerHttpResponse response, OpenFile file);

}
