package dev.lighttpdboot.gateway.cgi;

/**
 * A backend sent more header bytes than the configured limit without ending its response head: 502, told apart
 * from other invalid heads because raising the limit may be the fix.
 */
public class CgiResponseHeadTooLargeException extends InvalidCgiResponseException {

	private final int maxHeadSize;

	public CgiResponseHeadTooLargeException(int maxHeadSize) {
		super("response head is larger than " + maxHeadSize + " bytes");
		this.maxHeadSize = maxHeadSize;
	}

	/**
	 * Return the limit that was exceeded, in bytes.
	 */
	public int maxHeadSize() {
		return this.maxHeadSize;
	}

}
