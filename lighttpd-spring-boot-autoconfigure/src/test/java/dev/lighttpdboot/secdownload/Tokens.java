package dev.lighttpdboot.secdownload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens computed the way lighttpd's documentation spells them out, straight from the JDK, so tests never check
 * production code against itself.
 */
final class Tokens {

	private Tokens() {
	}

	/** Lowercase hex of MD5(secret + message + hex-time). */
	static String md5(String secret, String message, String hexTime) {
		try {
			MessageDigest md5 = MessageDigest.getInstance("MD5");
			byte[] digest = md5.digest((secret + message + hexTime).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Base64url without padding of HMAC-SHA1(secret, "/" + hex-time + message). */
	static String hmacSha1(String secret, String hexTime, String message) {
		return hmac("HmacSHA1", secret, "/" + hexTime + message);
	}

	/** Base64url without padding of HMAC-SHA256(secret, "/" + hex-time + message). */
	static String hmacSha256(String secret, String hexTime, String message) {
		return hmac("HmacSHA256", secret, "/" + hexTime + message);
	}

	private static String hmac(String algorithm, String secret, String message) {
		try {
			Mac mac = Mac.getInstance(algorithm);
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
			byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
