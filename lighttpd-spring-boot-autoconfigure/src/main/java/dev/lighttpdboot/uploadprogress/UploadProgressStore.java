package dev.lighttpdboot.uploadprogress;

import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * Where upload progress is kept between the counter, which writes it on the event loop of the upload, and the
 * endpoint, which reads it for another request (perhaps on another node). Implementations must not block in the
 * write methods: they run on Netty's event loop for every body chunk. Ids are opaque strings already checked by
 * {@link ProgressIds}. Removing finished entries after a retention time is the implementation's job.
 */
public interface UploadProgressStore {

	/**
	 * An upload with this id has begun; a previous upload with the same id is forgotten.
	 * @param id the progress id
	 * @param size the announced Content-Length, or -1 if unknown
	 */
	void start(String id, long size);

	/**
	 * More of the body has been read.
	 * @param id the progress id
	 * @param received all body bytes read so far (not an increment, so that a write may be skipped or repeated)
	 */
	void update(String id, long received);

	/**
	 * The request completed with a status below 400.
	 * @param id the progress id
	 * @param received all body bytes read
	 */
	void done(String id, long received);

	/**
	 * The request failed.
	 * @param id the progress id
	 * @param received all body bytes read
	 * @param status the response status (413 for a body over the limit), or 499 when the client went away
	 */
	void failed(String id, long received, int status);

	/**
	 * Look an upload up.
	 * @param id the progress id
	 * @return its progress, or {@link UploadProgress#STARTING} if the id is unknown
	 */
	Mono<UploadProgress> find(String id);

	/**
	 * Return the uploads not finished yet, by id, for monitoring (the {@code lighttpd} actuator endpoint). A store
	 * that cannot list them cheaply may answer an empty map.
	 */
	default Mono<Map<String, UploadProgress>> inProgress() {
		return Mono.just(Map.of());
	}

	/**
	 * Return whether the store can be reached, with details, for the health endpoint. The default answers
	 * available with no details, right for a store in this JVM.
	 */
	default Mono<UploadProgressStoreStatus> status() {
		return Mono.just(new UploadProgressStoreStatus(true, Map.of()));
	}

}
