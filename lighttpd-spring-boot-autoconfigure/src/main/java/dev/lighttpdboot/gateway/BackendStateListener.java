package dev.lighttpdboot.gateway;

/**
 * Told of every change of a {@link PoolBackend}'s state or hold. Called on the thread that saw the change (a
 * Netty event loop, a check's timer, a process supervisor or an actuator request): it must return quickly and
 * never block; an exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface BackendStateListener {

	/** A listener that ignores every change. */
	BackendStateListener NONE = (event) -> {
	};

	/**
	 * A backend's state or hold changed.
	 * @param event what changed
	 */
	void stateChanged(BackendStateChangedEvent event);

}
