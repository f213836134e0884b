package dev.lighttpdboot.staticfiles;

import java.util.List;

import dev.lighttpdboot.files.FileDelivery;
import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.FileSnapshot;
import dev.lighttpdboot.files.PathClaim;
import dev.lighttpdboot.files.PathRefusedException;
import dev.lighttpdboot.files.RepresentationSelector;
import dev.lighttpdboot.files.SafePath;
import dev.lighttpdboot.files.SmallFileCache;
import dev.lighttpdboot.files.StatCache;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

/**
 * Decides which requests {@link KeptFileChannelHandler} may answer itself, and gives it their bytes and headers:
 * exactly the requests whose ordinary answer is known to be a 200 with a kept small file of the document root, so
 * that answering them in the connection's pipeline changes nothing but the cost.
 * <p>A request qualifies when its path is no other handler's ({@link PathClaim}), passes {@link SafePath} (hidden
 * files as configured), names a regular file that the stat cache found within its validity (nothing is looked
 * up here: a miss goes the ordinary way, which fills the cache), asks for no pseudo-streaming seek, and the file
 * is small enough to be kept and always its own representation (no compression negotiated, no {@code Vary}). Its
 * bytes are then taken from the {@link SmallFileCache} after the same {@code lstat} that checks them on the
 * ordinary path.
 */
public final class KeptFileAnswers {

	private final FileRoot root;

	private final FileDelivery delivery;

	private final StatCache statCache;

	private final StaticFileOptions options;

	private final RepresentationSelector representations;

	private final List<PathClaim> claims;

	KeptFileAnswers(FileRoot root, FileDelivery delivery, StatCache statCache, StaticFileOptions options,
			RepresentationSelector representations, List<PathClaim> claims) {
		this.root = root;
		this.delivery = delivery;
		this.statCache = statCache;
		this.options = options;
		this.representations = representations;
		this.claims = List.copyOf(claims);
	}

	/**
	 * Return the file a GET or HEAD for a raw path would be answered with, if its answer is a whole regular file
	 * of the document root sent as it is; never blocks.
	 * @param rawPath the percent-encoded path of the request target, starting with {@code /}
	 * @param hasQuery whether the target has a query
	 * @return the file, or {@code null} when the request must go the ordinary way
	 */
	public @Nullable FileSnapshot candidate(String rawPath, boolean hasQuery) {
		if (hasQuery && this.delivery.hasSeeks()) {
			return null;
		}
		if (PathClaim.anyClaims(this.claims, rawPath)) {
			return null;
		}
		SafePath path;
		try {
			path = SafePath.parse(rawPath, this.options.hiddenFiles());
		}
		catch (PathRefusedException ex) {
			return null;
		}
		if (path.hasTrailingSlash()) {
			return null;
		}
		FileSnapshot file = this.statCache.cached(this.root, path);
		if (file == null || file.directory() || !this.delivery.keepsInMemory(file)
				|| !this.representations.alwaysIdentity(file)) {
			return null;
		}
		return file;
	}

	/**
	 * Return the kept bytes of a candidate, checked on the file-system scheduler, continuing on {@code eventLoop};
	 * empty if they are not kept or the file changed.
	 */
	public Mono<SmallFileCache.Kept> bytes(FileSnapshot file, EventLoop eventLoop) {
		return this.delivery.kept(eventLoop, file);
	}

	/**
	 * Set the headers of the 200 answer with a file, as the ordinary path sets them.
	 */
	public void headers(HttpHeaders headers, FileSnapshot file) {
		this.delivery.wholeFileHeaders(headers, file);
	}

}
