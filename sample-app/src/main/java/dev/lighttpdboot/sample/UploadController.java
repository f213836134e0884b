package dev.lighttpdboot.sample;

import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.PartEvent;
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
	Mono<Map<String, List<SavedFile>>> upload(@RequestBody Flux<PartEvent> parts) {
		return parts.windowUntil(PartEvent::isLast)
			.concatMap((partEvents) -> partEvents.switchOnFirst((first, events) -> {
				if (first.hasValue() && first.get() instanceof FilePartEvent file) {
					String name = file.filename();
					return save(events.map(PartEvent::content)).map((bytes) -> new SavedFile(name, bytes));
				}
				// Form fields: not needed by the demo.
				return events.doOnNext((event) -> DataBufferUtils.release(event.content())).then(Mono.<SavedFile>empty());
			}))
			.collectList()
			.map((files) -> Map.of("files", files));
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
