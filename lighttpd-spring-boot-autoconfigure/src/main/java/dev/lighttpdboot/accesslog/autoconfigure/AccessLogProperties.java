package dev.lighttpdboot.accesslog.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the access log: one line per response, in the combined log format unless told otherwise,
 * written to the logger {@code reactor.netty.http.server.AccessLog}.
 */
@ConfigurationProperties("lighttpd.access-log")
public class AccessLogProperties {

	/**
	 * Whether a line is logged for every response (to the logger reactor.netty.http.server.AccessLog, at INFO).
	 */
	private boolean enabled;

	/**
	 * Format of the lines: common, combined (followed by backend, backend time and upload id where they apply), or a
	 * pattern of lighttpd/Apache directives such as "%h %t \"%r\" %>s %b %{backend}x %{backend-time}x".
	 */
	private String format = "combined";

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getFormat() {
		return this.format;
	}

	public void setFormat(String format) {
		this.format = format;
	}

}
