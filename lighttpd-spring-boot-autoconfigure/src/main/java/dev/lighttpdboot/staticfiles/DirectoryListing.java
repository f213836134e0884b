package dev.lighttpdboot.staticfiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.lighttpdboot.files.HiddenFiles;

import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriUtils;

/**
 * An HTML index of a directory, as lighttpd's mod_dirlisting renders it when enabled: names sorted, directories
 * first and marked with a slash, every name HTML-escaped in text and percent-encoded in links, hidden entries
 * (names starting with a dot) left out unless hidden files are served.
 *
 * @param title the request path shown as the title
 * @param entries the entries, already filtered and sorted
 */
public record DirectoryListing(String title, List<Entry> entries) {

	/**
	 * One entry of a listing.
	 *
	 * @param name the file name
	 * @param directory whether it is a directory
	 * @param size the size in bytes (0 for directories)
	 */
	public record Entry(String name, boolean directory, long size) {
	}

	/**
	 * Read a directory. This blocks: call it on the file-system scheduler.
	 * @param title the request path the listing is for
	 * @param directory the directory
	 * @param hiddenFiles whether names starting with a dot are listed
	 * @return the listing
	 * @throws IOException if the directory cannot be read
	 */
	public static DirectoryListing read(String title, Path directory, HiddenFiles hiddenFiles) throws IOException {
		List<Entry> entries = new ArrayList<>();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
			for (Path child : stream) {
				String name = child.getFileName().toString();
				if (hiddenFiles == HiddenFiles.REFUSED && name.startsWith(".")) {
					continue;
				}
				boolean isDirectory = Files.isDirectory(child);
				long size = isDirectory ? 0 : sizeOf(child);
				entries.add(new Entry(name, isDirectory, size));
			}
		}
		entries.sort(Comparator.comparing((Entry entry) -> !entry.directory()).thenComparing(Entry::name));
		return new DirectoryListing(title, List.copyOf(entries));
	}

	private static long sizeOf(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			// A dangling symlink or a file removed meanwhile: list the name, the size is unknown.
			return -1;
		}
	}

	/**
	 * Render the listing as an HTML page.
	 */
	public String toHtml() {
		String title = HtmlUtils.htmlEscape(this.title, StandardCharsets.UTF_8.name());
		StringBuilder html = new StringBuilder(256 + 128 * this.entries.size());
		html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ").append(title)
			.append("</title></head>\n<body><h1>Index of ").append(title).append("</h1>\n<table>\n")
			.append("<tr><th>Name</th><th>Size</th></tr>\n");
		if (!this.title.equals("/")) {
			html.append("<tr><td><a href=\"../\">../</a></td><td>-</td></tr>\n");
		}
		for (Entry entry : this.entries) {
			String suffix = entry.directory() ? "/" : "";
			String href = UriUtils.encodePathSegment(entry.name(), StandardCharsets.UTF_8) + suffix;
			html.append("<tr><td><a href=\"./").append(HtmlUtils.htmlEscape(href)).append("\">")
				.append(HtmlUtils.htmlEscape(entry.name(), StandardCharsets.UTF_8.name())).append(suffix)
				.append("</a></td><td>")
				.append(entry.directory() || entry.size() < 0 ? "-" : Long.toString(entry.size()))
				.append("</td></tr>\n");
		}
		return html.append("</table>\n</body></html>\n").toString();
	}

}
