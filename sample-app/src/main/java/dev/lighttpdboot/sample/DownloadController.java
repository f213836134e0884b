package dev.lighttpdboot.sample;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * "Download after login" with X-Sendfile: the controller only decides whether the user may have the file; the
 * server then sends it (zero-copy, with Range and conditional requests) from the protected directory, which is
 * not under the document root.
 */
@RestController
class DownloadController {

	private static final String SESSION_COOKIE = "demo-session";

	@GetMapping("/login")
	ResponseEntity<Map<String, String>> login() {
		ResponseCookie cookie = ResponseCookie.from(SESSION_COOKIE, "logged-in").path("/").httpOnly(true)
			.maxAge(Duration.ofHours(1)).build();
		return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, cookie.toString())
			.body(Map.of("message", "logged in; now try /download/report.txt"));
	}

	@GetMapping("/logout")
	ResponseEntity<Map<String, String>> logout() {
		ResponseCookie cookie = ResponseCookie.from(SESSION_COOKIE, "").path("/").maxAge(0).build();
		return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, cookie.toString())
			.body(Map.of("message", "logged out"));
	}

	@GetMapping("/download/{name}")
	ResponseEntity<?> download(@PathVariable String name,
			@CookieValue(name = SESSION_COOKIE, required = false) String session) {
		if (!"logged-in".equals(session)) {
			return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("message", "log in first at /login"));
		}
		// X-Sendfile carries a percent-encoded path; a relative one resolves against the first allowed root, and
		// anything outside the roots is refused (403).
		return ResponseEntity.ok()
			.header("X-Sendfile", UriUtils.encode(name, StandardCharsets.UTF_8))
			.header(HttpHeaders.CONTENT_DISPOSITION,
					ContentDisposition.attachment().filename(name, StandardCharsets.UTF_8).build().toString())
			.build();
	}

}
