package dev.lighttpdboot.uploadprogress;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What is known about one upload at one moment.
 *
 * @param state where the upload is
 * @param received body bytes read from the client so far
 * @param size the announced Content-Length, or -1 while it is unknown (chunked)
 * @param status the HTTP status of a failed upload, 0 otherwise
 */
public record UploadProgress(UploadState state, long received, long size, int status) {

	/** The answer for an upload that has not begun, or that nobody knows. */
	public static final UploadProgress STARTING = new UploadProgress(UploadState.STARTING, 0, -1, 0);

	/** The answer of a shared store that cannot be reached, for an upload this node does not receive. */
	public static final UploadProgress UNAVAILABLE = new UploadProgress(UploadState.UNAVAILABLE, 0, -1, 0);

	/**
	 * Return this progress as the JSON object of lighttpd's and nginx's modules, for example
	 * {@code {"state":"uploading","received":300,"size":1000}}. An unknown size is reported as 0, as lighttpd 1.5
	 * does; once an upload is over, its size is what was received if no length was announced.
	 */
	public String toJson() {
		ObjectNode json = JsonNodeFactory.instance.objectNode().put("state", this.state.jsonName());
		if (this.state == UploadState.ERROR) {
			json.put("status", this.status);
		}
		if (this.state != UploadState.STARTING && this.state != UploadState.UNAVAILABLE) {
			long reportedSize = (this.size >= 0) ? this.size : (this.state.isFinished() ? this.received : 0);
			json.put("received", this.received).put("size", reportedSize);
		}
		return json.toString();
	}

}
