package dev.lighttpdboot.uploadprogress;

import java.util.Locale;

/**
 * The states an upload passes through, named as lighttpd 1.5's and nginx's upload-progress modules name them.
 */
public enum UploadState {

	/** Registered with no body byte received yet; also the answer for an id nobody knows (as nginx answers). */
	STARTING,

	/** Body bytes are arriving. */
	UPLOADING,

	/** The request completed with a status below 400. */
	DONE,

	/** The request failed: 413, another 4xx or 5xx from the handler, or the client went away. */
	ERROR,

	/**
	 * Not an upload's state but the store's: a shared store (Redis) cannot be reached and this node does not receive
	 * the upload itself, so nothing is known. A poller asks again.
	 */
	UNAVAILABLE;

	/**
	 * Return the name used in the JSON answer: {@code starting}, {@code uploading}, {@code done}, {@code error}.
	 */
	public String jsonName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Return whether nothing more will change for this upload.
	 */
	public boolean isFinished() {
		return this == DONE || this == ERROR;
	}

}
