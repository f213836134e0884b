package dev.lighttpdboot.gateway;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A backend of a {@link GatewayPool} changed its state or its operator's hold: it was disabled after a failure,
 * found down by a background check, answered again, its process stopped or started, or an operator drained,
 * disabled or enabled it. The same changes are logged; this is their form for code, published by the
 * auto-configuration as a Spring application event ({@code @EventListener} on this type).
 * <p>Delivered on the thread that saw the change, which may be a Netty event loop: a listener must not block.
 * @param pool the pool's name
 * @param backend the backend's id in metrics and the actuator endpoint ({@code php-0})
 * @param address the backend's address
 * @param from its state and hold before
 * @param to its state and hold after
 * @param cause what made the change
 * @param reason why, in words (the failure, the process's exit), or {@code null} when there is none to give
 */
public record BackendStateChangedEvent(String pool, String backend, String address, Status from, Status to,
		Cause cause, @Nullable String reason) {

	public BackendStateChangedEvent {
		Objects.requireNonNull(pool, "pool");
		Objects.requireNonNull(backend, "backend");
		Objects.requireNonNull(address, "address");
		Objects.requireNonNull(from, "from");
		Objects.requireNonNull(to, "to");
		Objects.requireNonNull(cause, "cause");
	}

	/**
	 * A backend's state and its operator's hold at one moment.
	 * @param state whether it takes requests
	 * @param hold the operator's hold on it
	 */
	public record Status(PoolBackend.State state, PoolBackend.Hold hold) {

		public Status {
			Objects.requireNonNull(state, "state");
			Objects.requireNonNull(hold, "hold");
		}

		/**
		 * Whether a backend in this status takes new requests.
		 */
		public boolean serving() {
			return this.state == PoolBackend.State.ACTIVE && this.hold == PoolBackend.Hold.NONE;
		}

	}

	/**
	 * What changed a backend's status.
	 */
	public enum Cause {

		/** A request: refused or overloaded (disabled), or answered while it probed (active again). */
		REQUEST,

		/** A background check of the pool's {@link BackendProber}: failed (disabled) or answered (active again). */
		CHECK,

		/** Its spawned process stopped or accepts connections again. */
		PROCESS,

		/** An operator's drain, disable or enable (the actuator endpoint). */
		OPERATOR

	}

}
