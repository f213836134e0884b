package dev.lighttpdboot.compression;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.github.luben.zstd.ZstdInputStream;

/**
 * A document root for the compression tests, in its own temporary directory: a 100 KiB script, small and
 * incompressible files, files with precompressed siblings, and bundle members.
 */
final class CompressionSite {

	final Path root;

	final byte[] appJs;

	CompressionSite() {
		try {
			this.root = Files.createTempDirectory("compression-site");
			this.appJs = script(100 * 1024, 1);
			Files.createDirectories(this.root.resolve("js"));
			Files.createDirectories(this.root.resolve("css"));
			Files.write(this.root.resolve("js/app.js"), this.appJs);
			Files.writeString(this.root.resolve("js/tiny.js"), "var x = 1;\n");
			byte[] noise = new byte[64 * 1024];
			new Random(3).nextBytes(noise);
			Files.write(this.root.resolve("noise.bin"), noise);
			Files.write(this.root.resolve("js/a.js"), script(3000, 2));
			Files.write(this.root.resolve("js/b.js"), script(5000, 3));
			Files.write(this.root.resolve("js/c.js"), script(700, 4));
			Files.writeString(this.root.resolve("css/site.css"), "body { margin: 0 }\n".repeat(40));
			Files.writeString(this.root.resolve("js/secret.txt"), "not a script\n".repeat(40));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static byte[] script(int size, int seed) {
		Random random = new Random(seed);
		StringBuilder text = new StringBuilder(size + 100);
		while (text.length() < size) {
			text.append("function f").append(random.nextInt(1000)).append("(a, b) { return a * ")
				.append(random.nextInt(97)).append(" + b; }\n");
		}
		text.setLength(size);
		return text.toString().getBytes(StandardCharsets.UTF_8);
	}

	static byte[] gzip(byte[] plain) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
			gzip.write(plain);
		}
		return out.toByteArray();
	}

	static byte[] decode(String coding, byte[] encoded) throws IOException {
		InputStream in = new ByteArrayInputStream(encoded);
		InputStream decoded = switch (coding) {
			case "gzip" -> new GZIPInputStream(in);
			case "br" -> new BrotliInputStream(in);
			case "zstd" -> new ZstdInputStream(in);
			default -> throw new IllegalArgumentException(coding);
		};
		try (decoded) {
			return decoded.readAllBytes();
		}
	}

}
