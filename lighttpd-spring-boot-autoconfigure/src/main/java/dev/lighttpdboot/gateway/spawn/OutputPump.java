package dev.lighttpdboot.gateway.spawn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.function.Consumer;

import dev.lighttpdboot.text.LogText;

/**
 * Reads a child's stdout or stderr line by line and hands each line to the log, on a daemon thread of its own
 * that ends when every writer of the pipe has exited.
 * <p>Pipes rather than {@link ProcessBuilder.Redirect#INHERIT}: inherited output bypasses the application's
 * logging (no pool name, not in log files or JSON logs). A pipe must be drained all the time, though, or the
 * child blocks once its 64 KiB are full, hence a thread per stream; they spend their lives blocked in
 * {@code read}, and children of a healthy php-cgi write next to nothing.
 * <p>Each line is made {@link LogText#printable printable} (control characters replaced, at most 256 characters)
 * before it is logged: a PHP warning may quote a request's URI or parameters, which must not forge log lines or
 * send terminal escapes.
 */
final class OutputPump implements Runnable {

	private final InputStream stream;

	private final Consumer<String> sink;

	private OutputPump(InputStream stream, Consumer<String> sink) {
		this.stream = stream;
		this.sink = sink;
	}

	/** Start pumping {@code stream} into {@code sink} on a daemon thread called {@code name}. */
	static void start(InputStream stream, String name, Consumer<String> sink) {
		Thread thread = new Thread(new OutputPump(stream, sink), name);
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void run() {
		// The child's own encoding is unknown: the platform's is the best guess and never fails on bad bytes.
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(this.stream, Charset.defaultCharset()))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (!line.isBlank()) {
					this.sink.accept(LogText.printable(line));
				}
			}
		}
		catch (IOException ex) {
			// The stream was closed because the process was destroyed: nothing more to read.
		}
	}

}
