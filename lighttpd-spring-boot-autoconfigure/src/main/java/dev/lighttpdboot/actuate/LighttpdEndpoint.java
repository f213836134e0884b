package dev.lighttpdboot.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code lighttpd} actuator endpoint: the state of every gateway pool and backend, as lighttpd's
 * {@code mod_status} shows its backends, and the uploads in progress. {@code /actuator/lighttpd} shows everything;
 * {@code /actuator/lighttpd/{pool}} one pool.
 */
@Endpoint(id = "lighttpd")
public class LighttpdEndpoint {

	private final List<GatewayPool> pools;

	private final UploadProgressStore uploads;

	/**
	 * Create the endpoint.
	 * @param pools the gateway pools, or {@code null} if no route is configured
	 * @param uploads the upload progress store, or {@code null} if upload progress is off
	 */
	public LighttpdEndpoint(GatewayPools pools, UploadProgressStore uploads) {
		this.pools = (pools != null) ? pools.all() : List.of();
		this.uploads = uploads;
	}

	/**
	 * Return every pool and the uploads in progress.
	 */
	@ReadOperation
	public Mono<LighttpdDescriptor> lighttpd() {
		Map<String, PoolDescriptor> pools = new LinkedHashMap<>();
		for (GatewayPool pool : this.pools) {
			pools.put(pool.name(), describe(pool));
		}
		Mono<Map<String, UploadDescriptor>> uploads = (this.uploads != null) ? this.uploads.inProgress()
			.map((progress) -> {
				Map<String, UploadDescriptor> described = new LinkedHashMap<>();
				progress.forEach((id, upload) -> described.put(id, new UploadDescriptor(
						upload.state().name().toLowerCase(Locale.ROOT), upload.received(), upload.size())));
				return described;
			}) : Mono.just(Map.of());
		return uploads.map((active) -> new LighttpdDescriptor(pools, active));
	}

	/**
	 * Return one pool, or {@code null} (404) if there is none of that name.
	 */
	@ReadOperation
	public PoolDescriptor pool(@Selector String name) {
		return this.pools.stream().filter((pool) -> pool.name().equals(name)).findFirst().map(this::describe)
			.orElse(null);
	}

	private PoolDescriptor describe(GatewayPool pool) {
		List<BackendDescriptor> backends = pool.backends().stream()
			.map((backend) -> new BackendDescriptor(backend.name(), backend.weight(),
					backend.state().name().toLowerCase(Locale.ROOT), backend.disabledFor().toMillis(),
					backend.load(), backend.queued(), backend.requests(), backend.failures(), backend.disables(),
					backend.lastFailure()))
			.toList();
		return new PoolDescriptor(pool.hasUsableBackend(), backends);
	}

	/**
	 * What the endpoint shows.
	 * @param pools the pools by name
	 * @param uploads the uploads in progress by progress id
	 */
	public record LighttpdDescriptor(Map<String, PoolDescriptor> pools, Map<String, UploadDescriptor> uploads) {
	}

	/**
	 * One upload in progress.
	 * @param state starting or uploading
	 * @param received the body bytes read so far
	 * @param size the announced length, or -1 (chunked)
	 */
	public record UploadDescriptor(String state, long received, long size) {
	}

	/**
	 * One pool.
	 * @param usable whether a backend takes requests (or may be probed)
	 * @param backends its backends in configured order
	 */
	public record PoolDescriptor(boolean usable, List<BackendDescriptor> backends) {
	}

	/**
	 * One backend.
	 * @param address where it listens
	 * @param weight its share
	 * @param state active, disabled, probing or stopped
	 * @param disabledForMillis how long it still rests, 0 unless disabled
	 * @param inFlight requests sent and not finished
	 * @param queued requests waiting for a connection
	 * @param requests requests sent so far
	 * @param failures requests it refused or failed
	 * @param disables times it was disabled
	 * @param lastFailure why it last failed, or {@code null}
	 */
	public record BackendDescriptor(String address, int weight, String state, long disabledForMillis, int inFlight,
			int queued, long requests, long failures, long disables, String lastFailure) {
	}

}
