package dev.lighttpdboot.gateway.spool;

import java.nio.file.Path;
import java.util.Optional;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;

/**
 * {@link SpooledBody#EMPTY}: shared, so releasing it must change nothing.
 */
final class EmptySpooledBody implements SpooledBody {

	@Override
	public long length() {
		return 0;
	}

	@Override
	public Flux<DataBuffer> content(DataBufferFactory bufferFactory) {
		return Flux.empty();
	}

	@Override
	public Optional<Path> file() {
		return Optional.empty();
	}

	@Override
	public void release() {
	}

	@Override
	public String toString() {
		return "SpooledBody[empty]";
	}

}
