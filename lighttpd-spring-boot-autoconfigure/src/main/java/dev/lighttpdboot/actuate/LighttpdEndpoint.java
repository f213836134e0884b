package dev.lighttpdboot.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayPools;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.gateway.spawn.ProcessState;
import dev.lighttpdboot.uploadprogress.UploadProgressStore;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code lighttpd} actuator endpoint, an operator's console for the gateway, as lighttpd's {@code mod_status}
 * shows its backends:
 * <ul>
 * <li>{@code GET /actuator/lighttpd}: every pool with its route (matching rules, timeouts), each backend's state
 * and counters, the processes it spawned (pid, restarts, last exit), and the uploads in progress;</li>
 * <li>{@code GET /actuator/lighttpd/{pool}}: one pool;</li>
 * <li>{@code POST /actuator/lighttpd/{pool}/{backend}} with {@code {"action":"drain"}}, {@code "disable"} or
 * {@code "enable"}: put an operator's hold on a backend (its id {@code php-0}, its position {@code 0}, or its
 * address) or lift it. Drain: no new request, those in flight finish, checks go on. Disable: no new request and
 * no check. Enable: back in rotation (a backend resting after a failure is probed at once).</li>
 * </ul>
 * Writes are actuator writes like any other: they answer over HTTP only when the endpoint is exposed
 * ({@code management.endpoints.web.exposure.include}) with unrestricted access (the default;
 * {@code management.endpoint.lighttpd.access=read-only} turns them off), and they must be protected as every
 * actuator write is, by Spring Security on the management paths.
 */
@Endpoint(id = "lighttpd")
public class LighttpdEndpoint {

	private final List<GatewayPool> pools;

	private final @Nullable UploadProgressStore uploads;

	private final Map<String, RouteDescriptor> routes;

	/**
	 * Create the endpoint.
	 * @param pools the gateway pools, or {@code null} if no route is configured
	 * @param uploads the upload progress store, or {@code null} if upload progress is off
	 */
	public LighttpdEndpoint(@Nullable GatewayPools pools, @Nullable UploadProgressStore uploads) {
		this(pools, uploads, Map.of());
	}

	/**
	 * Create the endpoint.
	 * @param pools the gateway pools, or {@code null} if no route is configured
	 * @param uploads the upload progress store, or {@code null} if upload progress is off
	 * @param routes the configured routes by pool name, shown with their pools
	 */
	public LighttpdEndpoint(@Nullable GatewayPools pools, @Nullable UploadProgressStore uploads,
			Map<String, RouteDescriptor> routes) {
		this.pools = (pools != null) ? pools.all() : List.of();
		this.uploads = uploads;
		this.routes = Map.copyOf(routes);
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
	public @Nullable PoolDescriptor pool(@Selector String name) {
		GatewayPool pool = find(name);
		return (pool != null) ? describe(pool) : null;
	}

	/**
	 * Drain, disable or enable a backend.
	 * @param pool the pool's name
	 * @param backend the backend's id ({@code php-0}), position ({@code 0}) or address
	 * @param action {@code drain}, {@code disable} or {@code enable}
	 * @return the backend afterwards, or {@code null} (404) if there is no such pool or backend
	 */
	@WriteOperation
	public @Nullable BackendDescriptor backend(@Selector String pool, @Selector String backend, String action) {
		PoolBackend.Hold hold = switch ((action != null) ? action.toLowerCase(Locale.ROOT) : "") {
			case "drain" -> PoolBackend.Hold.DRAIN;
			case "disable" -> PoolBackend.Hold.DISABLE;
			case "enable" -> PoolBackend.Hold.NONE;
			default -> throw new InvalidEndpointRequestException("Unknown action '" + action + "'",
					"action must be drain, disable or enable");
		};
		GatewayPool found = find(pool);
		PoolBackend target = (found != null) ? find(found, backend) : null;
		if (target == null) {
			return null;
		}
		target.hold(hold);
		return describe(target);
	}

	private @Nullable GatewayPool find(String name) {
		return this.pools.stream().filter((pool) -> pool.name().equals(name)).findFirst().orElse(null);
	}

	private static @Nullable PoolBackend find(GatewayPool pool, String backend) {
		for (PoolBackend candidate : pool.backends()) {
			if (candidate.id().equals(backend) || candidate.name().equals(backend)
					|| Integer.toString(candidate.position()).equals(backend)) {
				return candidate;
			}
		}
		return null;
	}

	private PoolDescriptor describe(GatewayPool pool) {
		List<BackendDescriptor> backends = pool.backends().stream().map(LighttpdEndpoint::describe).toList();
		List<ProcessDescriptor> processes = pool.processes().stream()
			.map((process) -> describe(pool, process))
			.toList();
		return new PoolDescriptor(pool.hasUsableBackend(), pool.hasServingBackend(), this.routes.get(pool.name()),
				backends, processes);
	}

	private static BackendDescriptor describe(PoolBackend backend) {
		return new BackendDescriptor(backend.id(), backend.name(), backend.weight(),
				backend.state().name().toLowerCase(Locale.ROOT), backend.hold().name().toLowerCase(Locale.ROOT),
				backend.disabledFor().toMillis(), backend.load(), backend.queued(), backend.requests(),
				backend.failures(), backend.disables(), backend.lastFailure());
	}

	private static ProcessDescriptor describe(GatewayPool pool, ProcessState process) {
		String backend = pool.backends().stream().filter((candidate) -> candidate.name().equals(process.address()))
			.map(PoolBackend::id).findFirst().orElse(null);
		return new ProcessDescriptor(backend, process.address(), (process.pid() >= 0) ? process.pid() : null,
				process.running(), process.ready(), process.restarts(),
				(process.lastExitCode() >= 0) ? process.lastExitCode() : null, process.startedAt());
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
	 * @param serving whether a backend takes requests now (what its health says)
	 * @param route the route's configuration, or {@code null} for a pool not made from properties
	 * @param backends its backends in configured order
	 * @param processes the processes it spawned, empty if none
	 */
	public record PoolDescriptor(boolean usable, boolean serving, @Nullable RouteDescriptor route,
			List<BackendDescriptor> backends, List<ProcessDescriptor> processes) {
	}

	/**
	 * A route's matching rules and timeouts, as configured.
	 * @param extensions the script extensions it matches, or empty
	 * @param pathPrefix the path prefix it matches, or {@code null}
	 * @param protocol the backends' protocol
	 * @param checkLocal whether a missing script is answered 404 without a backend
	 * @param balance the balancer
	 * @param connectTimeout how long a connect may take
	 * @param readTimeout how long a backend may stay silent
	 * @param disableTime how long a failed backend rests
	 * @param queueLimit requests that may wait for a connection, per backend
	 * @param maxRequestSize the largest request body, in bytes
	 * @param healthCheckInterval how often an idle backend is checked, or {@code null} if checks are off
	 */
	public record RouteDescriptor(List<String> extensions, @Nullable String pathPrefix, String protocol,
			boolean checkLocal,
			String balance, Duration connectTimeout, Duration readTimeout, Duration disableTime, int queueLimit,
			long maxRequestSize, @Nullable Duration healthCheckInterval) {
	}

	/**
	 * One backend.
	 * @param id its id in metrics and in write operations, {@code php-0}
	 * @param address where it listens
	 * @param weight its share
	 * @param state active, disabled, probing or stopped
	 * @param hold none, drain or disable: an operator's hold
	 * @param disabledForMillis how long it still rests, 0 unless disabled
	 * @param inFlight requests sent and not finished
	 * @param queued requests waiting for a connection
	 * @param requests requests sent so far
	 * @param failures requests it refused or failed
	 * @param disables times it was disabled
	 * @param lastFailure why it last failed, or {@code null}
	 */
	public record BackendDescriptor(String id, String address, int weight, String state, String hold,
			long disabledForMillis, int inFlight, int queued, long requests, long failures, long disables,
			@Nullable String lastFailure) {
	}

	/**
	 * One spawned process.
	 * @param backend the id of the backend it serves
	 * @param address its socket
	 * @param pid its process id, or {@code null} while none runs
	 * @param running whether it runs
	 * @param ready whether it accepts connections
	 * @param restarts how often it was started again
	 * @param lastExitCode the exit code of the last process that ended (128 + signal), or {@code null}
	 * @param startedAt when the current (or last) process started, or {@code null}
	 */
	public record ProcessDescriptor(@Nullable String backend, String address, @Nullable Long pid, boolean running,
			boolean ready,
			int restarts, @Nullable Integer lastExitCode, @Nullable Instant startedAt) {
	}

}
