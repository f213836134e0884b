package dev.lighttpdboot.files;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Chooses which file represents a requested file in a response: the file itself, or an encoded form of it. The
 * chosen file is then sent by {@link FileDelivery} like any other, so zero-copy, conditional requests and Range
 * keep working against the representation that is sent.
 * <p>Implementations run on the event loop and must move any file-system work to the {@link FileSystemScheduler}.
 */
@FunctionalInterface
public interface RepresentationSelector {

	/** Always the file itself. */
	RepresentationSelector IDENTITY = (exchange, root, file) -> Mono.just(FileRepresentation.identity(file));

	/**
	 * Choose the representation of a file for an exchange.
	 * @param exchange the exchange (its request headers decide)
	 * @param root the root the file was found under, for siblings that must stay within it
	 * @param file the requested regular file
	 * @return the representation to send
	 */
	Mono<FileRepresentation> select(ServerWebExchange exchange, FileRoot root, FileSnapshot file);

	/**
	 * Whether {@link #select} chooses the file itself, without {@code Vary}, for every request of this file
	 * whatever its headers; a caller may then answer without asking. Only {@link #IDENTITY} says so unless an
	 * implementation knows better.
	 * @param file the requested regular file
	 * @return {@code true} if the file is always its own representation
	 */
	default boolean alwaysIdentity(FileSnapshot file) {
		return this == IDENTITY;
	}

}
