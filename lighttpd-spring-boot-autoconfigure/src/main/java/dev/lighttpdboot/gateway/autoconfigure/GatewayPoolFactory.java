package dev.lighttpdboot.gateway.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lighttpdboot.gateway.BackendAddress;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.BackendProbe;
import dev.lighttpdboot.gateway.BackendProber;
import dev.lighttpdboot.gateway.BackendStateListener;
import dev.lighttpdboot.gateway.GatewayMetrics;
import dev.lighttpdboot.gateway.GatewayObservationConvention;
import dev.lighttpdboot.gateway.GatewayPool;
import dev.lighttpdboot.gateway.GatewayProtocol;
import dev.lighttpdboot.gateway.PoolBackend;
import dev.lighttpdboot.gateway.balancer.Balancer;
import dev.lighttpdboot.gateway.balancer.Balancers;
import dev.lighttpdboot.gateway.spawn.SpawnSpec;
import dev.lighttpdboot.gateway.spawn.SpawnedBackends;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Builds a route's {@link GatewayPool} from its properties, with backends of the {@link GatewayProtocol} the
 * route names: the configured backends first, then one backend per
 * spawned process, whose processes it attaches to the pool (stopped when the pool is disposed) and hands to the
 * {@link GatewayLifecycle}, which starts them with the application context.
 */
final class GatewayPoolFactory {

	private final GatewayMetrics metrics;

	private final GatewayLifecycle lifecycle;

	private final Map<String, GatewayProtocol> protocols;

	private final ObservationRegistry observations;

	private final @Nullable GatewayObservationConvention convention;

	private final BackendStateListener stateListener;

	GatewayPoolFactory(GatewayMetrics metrics, GatewayLifecycle lifecycle, List<GatewayProtocol> protocols,
			ObservationRegistry observations, @Nullable GatewayObservationConvention convention,
			BackendStateListener stateListener) {
		this.metrics = metrics;
		this.lifecycle = lifecycle;
		this.protocols = new LinkedHashMap<>();
		for (GatewayProtocol protocol : protocols) {
			// The first of a name wins: an application's own bean comes before the built-in one.
			this.protocols.putIfAbsent(protocol.name(), protocol);
		}
		this.observations = observations;
		this.convention = convention;
		this.stateListener = stateListener;
	}

	/**
	 * Return the protocol plug-in a route names.
	 */
	GatewayProtocol protocol(String prefix, GatewayProperties.Route route) {
		GatewayProtocol protocol = this.protocols.get(route.getProtocol().pluginName());
		if (protocol == null) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".protocol", route.getProtocol(),
					"no plug-in speaks it (available: " + String.join(", ", this.protocols.keySet()) + ")");
		}
		return protocol;
	}

	GatewayPool create(String prefix, GatewayProperties.Route route, GatewayProtocol protocol,
			@Nullable String documentRoot) {
		GatewayProperties.Spawn spawn = route.getSpawn();
		boolean spawns = !spawn.getCommand().isEmpty();
		if (route.getBackends().isEmpty() && !spawns) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".backends", null,
					"a route needs at least one backend address, or a spawn.command");
		}
		List<PoolBackend> backends = new ArrayList<>();
		List<String> addresses = new ArrayList<>();
		for (int i = 0; i < route.getBackends().size(); i++) {
			GatewayProperties.Backend backend = route.getBackends().get(i);
			String property = prefix + ".backends[" + i + "]";
			if (backend.getAddress() == null) {
				throw new InvalidConfigurationPropertyValueException(property + ".address", null,
						"a backend needs an address");
			}
			try {
				backends.add(backend(route, protocol, backends.size(), backend.getAddress(), backend.getWeight(),
						backend.getMaxConnections()));
				BackendHosts.warnIfUnresolvable(property + ".address", backend.getAddress());
				addresses.add(backend.getAddress());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException(property + ".address", backend.getAddress(),
						ex.getMessage());
			}
		}
		SpawnedBackends spawned = spawns ? spawned(prefix, route) : null;
		int firstSpawned = backends.size();
		if (spawned != null) {
			try {
				for (String address : spawned.addresses()) {
					backends.add(backend(route, protocol, backends.size(), address, 1, spawn.getMaxConnections()));
					addresses.add(address);
				}
			}
			catch (IllegalArgumentException ex) {
				spawned.close();
				throw new InvalidConfigurationPropertyValueException(prefix + ".spawn.max-connections",
						spawn.getMaxConnections(), ex.getMessage());
			}
		}
		Balancer balancer;
		try {
			balancer = Balancers.create(route.getBalance().policy(), backends);
		}
		catch (IllegalArgumentException ex) {
			if (spawned != null) {
				spawned.close();
			}
			throw new InvalidConfigurationPropertyValueException(prefix + ".balance", route.getBalance(), ex.getMessage());
		}
		GatewayPool pool = new GatewayPool(route.getName(), protocol.name(), backends, balancer, documentRoot,
				this.metrics, System::nanoTime, this.observations, this.convention);
		if (spawned != null) {
			attach(pool, spawned, firstSpawned);
			this.lifecycle.add(pool, spawned);
		}
		this.lifecycle.add(pool);
		if (route.getHealthCheck().isEnabled()) {
			this.lifecycle.add(prober(prefix, route, protocol, pool, addresses));
		}
		return pool;
	}

	private static BackendProber prober(String prefix, GatewayProperties.Route route, GatewayProtocol protocol,
			GatewayPool pool, List<String> addresses) {
		GatewayProperties.HealthCheck check = route.getHealthCheck();
		Duration timeout = (check.getTimeout() != null) ? check.getTimeout() : route.getConnectTimeout();
		List<BackendProbe> probes = addresses.stream()
			.map((address) -> protocol.probe(BackendAddress.parse(address), timeout))
			.toList();
		try {
			return new BackendProber(pool, probes, route.getDisableTime(), check.getInterval(), timeout);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".health-check.interval",
					check.getInterval() + ", timeout " + timeout, ex.getMessage());
		}
	}

	private PoolBackend backend(GatewayProperties.Route route, GatewayProtocol protocol, int position, String address,
			int weight, int maxConnections) {
		BackendOptions options = new BackendOptions(maxConnections, route.getQueueLimit(), route.getConnectTimeout(),
				route.getReadTimeout(), BackendOptions.DEFAULTS.maxIdleTime(), BackendOptions.DEFAULTS.maxHeadSize());
		GatewayBackend backend = protocol.backend(address, BackendAddress.parse(address), options);
		return new PoolBackend(route.getName(), position, weight, backend, route.getDisableTime(), System::nanoTime,
				this.stateListener);
	}

	private static SpawnedBackends spawned(String prefix, GatewayProperties.Route route) {
		GatewayProperties.Spawn spawn = route.getSpawn();
		try {
			SpawnSpec spec = SpawnSpec.of(spawn.getCommand(), spawn.getProcesses())
				.withEnvironment(spawn.getEnvironment());
			return new SpawnedBackends(route.getName(), spec);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".spawn.command", spawn.getCommand(),
					ex.getMessage());
		}
	}

	private static void attach(GatewayPool pool, SpawnedBackends spawned, int firstSpawned) {
		for (int i = 0; i < spawned.addresses().size(); i++) {
			pool.processStarting(firstSpawned + i);
		}
		spawned.addListener(new SpawnedBackends.Listener() {

			@Override
			public void down(int index, String address, String reason) {
				pool.processStopped(firstSpawned + index, reason);
			}

			@Override
			public void up(int index, String address) {
				pool.processStarted(firstSpawned + index);
			}

		});
		pool.attach(spawned);
	}

}
