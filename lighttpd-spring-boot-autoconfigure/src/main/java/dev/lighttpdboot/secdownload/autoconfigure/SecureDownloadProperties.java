package dev.lighttpdboot.secdownload.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import dev.lighttpdboot.secdownload.SecureLinks;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of secure download links ({@code lighttpd.secdownload.*}), lighttpd's mod_secdownload.
 */
@ConfigurationProperties("lighttpd.secdownload")
public class SecureDownloadProperties {

	/**
	 * Whether signed links under the uri-prefix are served (secret and document-root are then required).
	 */
	private boolean enabled = false;

	/**
	 * Secret shared with whatever issues links; its UTF-8 bytes are hashed.
	 */
	private @Nullable String secret;

	/**
	 * How tokens are computed: md5 (legacy, weak), hmac-sha1 or hmac-sha256.
	 */
	private SecureLinks.Algorithm algorithm = SecureLinks.Algorithm.MD5;

	/**
	 * Path prefix of signed links, starting with "/"; other paths are not looked at.
	 */
	private String uriPrefix = "/dl/";

	/**
	 * Directory the links give access to, normally outside the document root. Relative paths resolve against
	 * the working directory.
	 */
	private @Nullable Path documentRoot;

	/**
	 * How far a link's timestamp may be from now, in the past or in the future (whole seconds).
	 */
	private Duration timeout = Duration.ofSeconds(60);

	/**
	 * How many leading segments of the relative path are hashed, so one token unlocks a directory; 0 hashes the
	 * whole path.
	 */
	private int pathSegments = 0;

	/**
	 * Whether a non-empty query string ("?" and the raw query) is part of what is hashed.
	 */
	private boolean hashQuerystr = false;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getSecret() {
		return this.secret;
	}

	public void setSecret(String secret) {
		this.secret = secret;
	}

	public SecureLinks.Algorithm getAlgorithm() {
		return this.algorithm;
	}

	public void setAlgorithm(SecureLinks.Algorithm algorithm) {
		this.algorithm = algorithm;
	}

	public String getUriPrefix() {
		return this.uriPrefix;
	}

	public void setUriPrefix(String uriPrefix) {
		this.uriPrefix = uriPrefix;
	}

	public @Nullable Path getDocumentRoot() {
		return this.documentRoot;
	}

	public void setDocumentRoot(Path documentRoot) {
		this.documentRoot = documentRoot;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public int getPathSegments() {
		return this.pathSegments;
	}

	public void setPathSegments(int pathSegments) {
		this.pathSegments = pathSegments;
	}

	public boolean isHashQuerystr() {
		return this.hashQuerystr;
	}

	public void setHashQuerystr(boolean hashQuerystr) {
		this.hashQuerystr = hashQuerystr;
	}

}
