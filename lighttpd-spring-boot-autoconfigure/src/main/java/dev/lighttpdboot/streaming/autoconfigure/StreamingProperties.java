package dev.lighttpdboot.streaming.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of pseudo-streaming seeks.
 */
@ConfigurationProperties("lighttpd.streaming")
public class StreamingProperties {

	/**
	 * Whether media files can be seeked with a query parameter (FLV "?start=<byte>").
	 */
	private boolean enabled = true;

	/**
	 * File-name suffixes of FLV files, matched case-insensitively.
	 */
	private List<String> flvExtensions = new ArrayList<>(List.of(".flv"));

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<String> getFlvExtensions() {
		return this.flvExtensions;
	}

	public void setFlvExtensions(List<String> flvExtensions) {
		this.flvExtensions = flvExtensions;
	}

}
