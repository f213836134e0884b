package dev.lighttpdboot.gateway.balancer;

import java.util.List;

/**
 * Chooses the backend of a pool that takes the next request, among those usable at the moment. A balancer is
 * created for one pool, knowing all its backends (so that, for example, a consistent hash ring stays the same
 * while backends come and go); it is called from many threads at once, event-loop threads among them, so every
 * implementation is thread-safe and never blocks. Create one balancer per pool with {@link Balancers#create}.
 */
@FunctionalInterface
public interface Balancer {

	/**
	 * Choose a backend.
	 * @param usable the backends that may take the request, in configured order (by
	 * {@link BalancedBackend#position()}); never empty
	 * @param key what a request is known by, for balancers that keep a request on one backend (the request path)
	 * @return one of {@code usable}
	 */
	BalancedBackend choose(List<? extends BalancedBackend> usable, String key);

}
