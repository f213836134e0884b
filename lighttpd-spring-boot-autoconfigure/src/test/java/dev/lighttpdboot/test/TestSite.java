package dev.lighttpdboot.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.springframework.util.FileSystemUtils;

/**
 * A document root with every kind of entry the tests need, next to files that must never be served: a secret
 * outside the root, a sibling directory whose name shares the root's prefix, and symlinks pointing at both.
 */
public final class TestSite {

	/** Text that only files outside the document root contain; no response may ever carry it. */
	public static final String SECRET = "TOP-SECRET-MARKER";

	public static final String HELLO = "Hello, document root!\n";

	private final Path base;

	private final Path root;

	private final byte[] big;

	private final byte[] movie;

	private TestSite(Path base) throws IOException {
		this.base = base;
		this.root = Files.createDirectories(base.resolve("www"));
		Path outside = Files.createDirectories(base.resolve("outside"));
		Path sibling = Files.createDirectories(base.resolve("www-sibling"));
		Files.writeString(outside.resolve("secret.txt"), SECRET);
		Files.writeString(sibling.resolve("secret.txt"), SECRET);
		Files.writeString(base.resolve("secret.txt"), SECRET);

		Files.writeString(this.root.resolve("hello.txt"), HELLO);
		this.big = new byte[1024 * 1024 + 7];
		new Random(42).nextBytes(this.big);
		Files.write(this.root.resolve("big.bin"), this.big);
		Files.write(this.root.resolve("empty.txt"), new byte[0]);
		Files.writeString(this.root.resolve("shadowed.txt"), "the file, not the controller\n");
		Files.createDirectories(this.root.resolve("routed"));
		Files.writeString(this.root.resolve("routed/shadowed.txt"), "the file, not the router function\n");
		Files.writeString(this.root.resolve("style.css"), "body { color: black; }\n");
		Files.writeString(this.root.resolve("data.json"), "{\"a\":1}\n");
		Files.write(this.root.resolve("clip.flv"), new byte[] { 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 9 });
		this.movie = new byte[200_013];
		new Random(7).nextBytes(this.movie);
		System.arraycopy(new byte[] { 'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0 }, 0, this.movie, 0, 13);
		Files.write(this.root.resolve("movie.flv"), this.movie);
		Files.writeString(this.root.resolve("ünï cødé.txt"), "unicode name\n");
		Files.writeString(this.root.resolve("a;b.txt"), "semicolon name\n");
		Files.writeString(this.root.resolve(".hidden.txt"), SECRET);
		Files.createDirectories(this.root.resolve(".git"));
		Files.writeString(this.root.resolve(".git/config"), SECRET);
		Files.createDirectories(this.root.resolve("docs"));
		Files.writeString(this.root.resolve("docs/index.html"), "<h1>docs index</h1>\n");
		Files.createDirectories(this.root.resolve("plain"));
		Files.writeString(this.root.resolve("plain/a.txt"), "a\n");
		Files.writeString(this.root.resolve("plain/<script>alert(1)<\\script>&.txt"), "escaped\n");
		Files.writeString(this.root.resolve("plain/.invisible"), "hidden\n");
		Files.createDirectories(this.root.resolve("plain/sub"));

		Files.createSymbolicLink(this.root.resolve("link-in.txt"), this.root.resolve("hello.txt"));
		Files.createSymbolicLink(this.root.resolve("link-out.txt"), outside.resolve("secret.txt"));
		Files.createSymbolicLink(this.root.resolve("link-dir-out"), outside);
		Files.createSymbolicLink(this.root.resolve("link-sibling"), sibling);
		Files.createSymbolicLink(this.root.resolve("link-relative-out.txt"), Path.of("../secret.txt"));
		Files.createSymbolicLink(this.root.resolve("link-dangling.txt"), this.root.resolve("nowhere.txt"));
	}

	private static TestSite shared;

	/**
	 * Return the site shared by every test of this JVM (tests only read it), created on first use and deleted when
	 * the JVM exits.
	 */
	public static synchronized TestSite shared() {
		if (shared == null) {
			TestSite site = create();
			Runtime.getRuntime().addShutdownHook(new Thread(site::delete, "test-site-cleanup"));
			shared = site;
		}
		return shared;
	}

	public static TestSite create() {
		try {
			return new TestSite(Files.createTempDirectory("lighttpd-test-site-"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public Path root() {
		return this.root;
	}

	/** An FLV file: a 13-byte header, then 200,000 bytes. */
	public byte[] movie() {
		return this.movie.clone();
	}

	public byte[] big() {
		return this.big.clone();
	}

	public byte[] bytes(String relative) {
		try {
			return Files.readAllBytes(this.root.resolve(relative));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String text(String relative) {
		return new String(bytes(relative), StandardCharsets.UTF_8);
	}

	public void delete() {
		try {
			FileSystemUtils.deleteRecursively(this.base);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
