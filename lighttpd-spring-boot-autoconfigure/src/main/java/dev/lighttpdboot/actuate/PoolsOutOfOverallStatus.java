package dev.lighttpdboot.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Leaves some pools out of the application's overall status ({@code /actuator/health}): Spring Boot's primary
 * health group counts every contributor, so a pool whose backends may all be down without the application being
 * unhealthy (a PHP admin area beside a Java application, say) would otherwise take the whole application DOWN.
 * The pools stay in the health registry: a group that includes them ({@code
 * management.endpoint.health.group.php.include=lighttpd/php}) shows them, as it shows any contributor.
 */
public final class PoolsOutOfOverallStatus implements HealthEndpointGroupsPostProcessor {

	private final Set<String> members;

	/**
	 * Leave pools out.
	 * @param contributor the name of the composite contributor holding the pools ({@code lighttpd})
	 * @param pools the names of the pools to leave out
	 */
	public PoolsOutOfOverallStatus(String contributor, Set<String> pools) {
		this.members = pools.stream().map((pool) -> contributor + "/" + pool).collect(java.util.stream.Collectors
			.toUnmodifiableSet());
	}

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		if (this.members.isEmpty()) {
			return groups;
		}
		Map<String, HealthEndpointGroup> others = new LinkedHashMap<>();
		for (String name : groups.getNames()) {
			others.put(name, groups.get(name));
		}
		return HealthEndpointGroups.of(new Primary(groups.getPrimary(), this.members), others);
	}

	private record Primary(HealthEndpointGroup delegate, Set<String> excluded) implements HealthEndpointGroup {

		@Override
		public boolean isMember(String name) {
			return !this.excluded.contains(name) && this.delegate.isMember(name);
		}

		@Override
		public boolean showComponents(SecurityContext securityContext) {
			return this.delegate.showComponents(securityContext);
		}

		@Override
		public boolean showDetails(SecurityContext securityContext) {
			return this.delegate.showDetails(securityContext);
		}

		@Override
		public StatusAggregator getStatusAggregator() {
			return this.delegate.getStatusAggregator();
		}

		@Override
		public HttpCodeStatusMapper getHttpCodeStatusMapper() {
			return this.delegate.getHttpCodeStatusMapper();
		}

		@Override
		public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
			return this.delegate.getAdditionalPath();
		}

	}

}
