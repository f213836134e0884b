package dev.lighttpdboot.sample;

import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.channel.AbortedException;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The target of the upload page ({@code /upload.html}): streams each file part of a multipart upload to a temporary
 * file as it arrives, so no file is ever held in memory, and answers with the names and sizes. Reading the body at
 * once is what lets the progress counter see it: Reactor Netty reads a body only while someone consumes it.
 * <p>
 * {@link UploadThrottle} can slow it down, so that progress is visible on loopback. The demo deletes each file when
 * the request ends: it shows the streaming, not a file store.
 */
@RestController
class UploadController {

	@PostMapping("/upload")
	Mono<Map<String, List<SavedFile>>> upload(@RequestBody Flux<Part> parts) {
		return parts.concatMap((part) -> {
				if (part instanceof FilePart file) {
					return save(file.content()).map((bytes) -> new SavedFile(file.filename(), bytes));
				}
				// Form fields: not needed by the demo.
				return part.delete().then(Mono.<SavedFile>empty());
			})
			.collectList()
			.map((files) -> Map.of("files", files))
			// A client that went away mid-upload can no longer be answered: not an error of ours (no 500 logged).
			.onErrorResume(UploadController::clientWentAway, (ex) -> Mono.empty());
	}

	private static boolean clientWentAway(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof AbortedException) {
				return true;
			}
		}
		return false;
	}

	/** What the answer says of each file. */
	record SavedFile(String name, long bytes) {
	}

	private Mono<Long> save(Flux<DataBuffer> content) {
		AtomicLong written = new AtomicLong();
		// Creating the file and opening it block: on a bounded scheduler, never on the event loop. The writes are
		// asynchronous (an AsynchronousFileChannel); DataBufferUtils releases each buffer once it is written.
		return Mono.usingWhen(
				Mono.fromCallable(() -> Files.createTempFile("lighttpd-demo-upload-", ".part"))
					.subscribeOn(Schedulers.boundedElastic()),
				(file) -> DataBufferUtils
					.write(content.doOnNext((buffer) -> written.addAndGet(buffer.readableByteCount())), file,
							StandardOpenOption.WRITE)
					.subscribeOn(Schedulers.boundedElastic())
					.then(Mono.fromSupplier(written::get)),
				(file) -> Mono.fromCallable(() -> Files.deleteIfExists(file)).subscribeOn(Schedulers.boundedElastic()));
	}

}
