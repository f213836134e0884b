package dev.lighttpdboot.sample;

import java.util.List;

import dev.lighttpdboot.secdownload.SecureLinks;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * A page of signed, expiring links made by {@link SecureLinks}: each link is valid for the configured timeout,
 * and the files it names are not reachable any other way.
 */
@RestController
class SignedLinksController {

	private static final List<String> FILES = List.of("/notes.txt", "/movie.flv");

	private final ObjectProvider<SecureLinks> links;

	SignedLinksController(ObjectProvider<SecureLinks> links) {
		this.links = links;
	}

	@GetMapping(path = "/links", produces = MediaType.TEXT_HTML_VALUE)
	Mono<ResponseEntity<String>> links() {
		SecureLinks secureLinks = this.links.getIfAvailable();
		if (secureLinks == null) {
			return Mono.just(ResponseEntity.ok("<p>Secure download links are off: start with "
					+ "<code>--lighttpd.secdownload.enabled=true</code>.</p>"));
		}
		StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
				+ "<title>Signed links</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\n"
				+ "<h1>Signed links</h1>\n<p>Made just now; they expire after the configured timeout.</p>\n<ul>\n");
		for (String file : FILES) {
			String link = secureLinks.link(file);
			html.append("<li><a href=\"").append(HtmlUtils.htmlEscape(link)).append("\">").append(HtmlUtils.htmlEscape(file))
				.append("</a></li>\n");
		}
		String seek = secureLinks.link("/movie.flv") + "?start=411113";
		html.append("<li><a href=\"").append(HtmlUtils.htmlEscape(seek))
			.append("\">/movie.flv from byte 411113</a> (FLV seeking through a signed link)</li>\n")
			.append("</ul>\n<p><a href=\"/\">Back</a></p>\n</body></html>\n");
		return Mono.just(ResponseEntity.ok(html.toString()));
	}

}
